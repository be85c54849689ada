/**
 * Builds the Kysely instance a process uses for its whole life. One pool per
 * process; close it with `db.destroy()` on shutdown.
 *
 * Losing a connection is an outage to report, never a reason to exit: Postgres
 * can end any session at any time (a restart, a failover, `pg_terminate_backend`,
 * a proxy's idle timeout). pg reports that as an `error` event, on the pool for
 * an idle client and on the client itself for one that is checked out (between
 * the statements of a transaction, say); an `error` event nobody listens to ends
 * the process. Both get a listener here: the dead client is dropped (the pool
 * never hands out a client that errored) and the next query opens a new one.
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

/** Told about every connection the pool loses; it must not throw. */
export type ConnectionErrorListener = (error: Error) => void;

export interface DbOptions {
  /** Postgres connection string. */
  url: string;
  /** Pool size. */
  poolSize?: number;
  /** `application_name` seen in pg_stat_activity, so operators can tell processes apart. */
  applicationName?: string;
  /** Kysely's query log hook (tests count queries with it). */
  log?: LogConfig;
  /**
   * Told when a pooled connection is lost (logged by the process). Default: one
   * line on stderr. Either way the client is dropped and the process carries on.
   */
  onConnectionError?: ConnectionErrorListener;
  /**
   * Milliseconds to wait for a new connection before the query fails (an
   * unreachable or hung server must fail the work, not hang it). Default 10 s.
   */
  connectTimeoutMs?: number;
}

const writeToStderr: ConnectionErrorListener = (error) => {
  process.stderr.write(`Postgres connection lost: ${error.message}\n`);
};

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
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    // Notices a peer that vanished without closing the connection (a failover).
    keepAlive: true,
    types,
  });
  watchConnections(pool, options.onConnectionError ?? writeToStderr);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: options.log });
}

/**
 * Puts an `error` listener on every client the pool connects, which hears a
 * lost connection whether the client is idle or checked out, and one on the
 * pool, which pg-pool also emits to for an idle client (already reported by the
 * client's own listener, but an `error` event without a listener would throw).
 * pg-pool removes a client that errored while idle; one that errored while
 * checked out is no longer queryable, so its query fails and the pool discards
 * it on release.
 */
export function watchConnections(pool: pg.Pool, listener: ConnectionErrorListener): void {
  pool.on("error", () => undefined);
  pool.on("connect", (client) => {
    client.on("error", (error) => listener(error));
  });
}
