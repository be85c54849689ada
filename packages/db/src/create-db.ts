/**
 * Builds the Kysely instance a process uses for its whole life. One pool per
 * process; close it with `db.destroy()` on shutdown.
 */
import { Kysely, type LogConfig, PostgresDialect } from "kysely";
import pg from "pg";
import type { Database } from "./schema/database";

const INT8_OID = 20;

/**
 * pg returns int8 (bigint ids, count(*)) as strings to be safe past 2^53. Catalog
 * ids and counts stay far below that, so parse them as numbers, for this pool only.
 */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID
      ? (value: string) => Number.parseInt(value, 10)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface DbOptions {
  /** Postgres connection string. */
  url: string;
  /** Pool size. */
  poolSize?: number;
  /** `application_name` seen in pg_stat_activity, so operators can tell processes apart. */
  applicationName?: string;
  /** Kysely's query log hook (tests count queries with it). */
  log?: LogConfig;
}

/** A pg pool wrapped in a typed Kysely instance. */
export function createDb(options: DbOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? "catalog-import",
    // When a process dies mid-transaction (a worker killed during a commit),
    // Postgres otherwise notices only when it next writes to the socket: a long
    // statement would run on, holding its locks. Checking the client every 2 s
    // rolls such a transaction back promptly.
    options: "-c client_connection_check_interval=2000",
    types,
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: options.log });
}
