/**
 * Snapshot procedures: `snapshot verify <id>|--all` (re-hash stored snapshots
 * against Postgres), `snapshots usage`, `snapshots cleanup` (older than
 * SNAPSHOT_RETENTION_DAYS on finished jobs, and orphaned records; dry run
 * unless --yes).
 */
import { createHash } from "node:crypto";
import type { Database } from "@catalog/db";
import {
  deleteObject,
  getObjectStream,
  type ObjectStore,
  ObjectNotFoundError,
} from "@catalog/storage";
import type { Command } from "commander";
import { type Kysely, sql } from "kysely";
import { formatTable, print } from "../output";
import { UsageError } from "../usage";

interface Context {
  database: () => Kysely<Database>;
  store: () => ObjectStore;
  retentionDays: number;
}

interface Verification {
  job_id: string | null;
  key: string;
  recorded: string;
  actual: string | null;
  ok: boolean;
}

async function sha256Of(store: ObjectStore, key: string): Promise<string | null> {
  try {
    const hash = createHash("sha256");
    for await (const chunk of await getObjectStream(store, key)) hash.update(chunk as Buffer);
    return hash.digest("hex");
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return null;
    throw error;
  }
}

export function snapshotsCommands(program: Command, context: Context): void {
  program
    .command("snapshot")
    .description("snapshot integrity")
    .command("verify")
    .description(
      "re-hash a job's snapshot (or every snapshot with --all) and compare with Postgres",
    )
    .argument("[job-id]")
    .option("--all", "every recorded snapshot")
    .option("--json", "print JSON")
    .action(async (jobId: string | undefined, options: { all?: boolean; json?: boolean }) => {
      if (!jobId && !options.all) throw new UsageError("give a job id or --all");
      let query = context
        .database()
        .selectFrom("catalog_media as m")
        .leftJoin("ops_importjob as j", "j.id", "m.job_id")
        .select(["m.job_id", "m.object_key", "m.sha256", "j.snapshot_hash"])
        .where("m.kind", "=", "snapshot");
      if (jobId) query = query.where("m.job_id", "=", jobId);
      const records = await query.orderBy("m.created_at").execute();
      const results: Verification[] = [];
      for (const record of records) {
        const actual = await sha256Of(context.store(), record.object_key);
        const recorded = record.sha256.trim();
        const jobHash = record.snapshot_hash?.trim() ?? recorded;
        results.push({
          job_id: record.job_id,
          key: record.object_key,
          recorded,
          actual,
          ok: actual === recorded && actual === jobHash,
        });
      }
      if (results.some((r) => !r.ok) || (jobId && results.length === 0)) process.exitCode = 1;
      print(Boolean(options.json), results, () =>
        results.length
          ? formatTable(
              ["job", "key", "ok", "recorded", "actual"],
              results.map((r) => [
                r.job_id,
                r.key,
                r.ok ? "OK" : "FAILED",
                r.recorded,
                r.actual ?? "missing",
              ]),
            )
          : "No snapshot recorded.",
      );
    });

  const snapshots = program.command("snapshots").description("snapshot storage");
  snapshots
    .command("usage")
    .description("how many snapshots are stored and how much space they take")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const row = await context
        .database()
        .selectFrom("catalog_media")
        .select([
          (eb) => eb.fn.countAll<number>().as("count"),
          sql<number>`coalesce(sum(size_bytes), 0)::bigint`.as("bytes"),
          sql<Date | null>`min(created_at)`.as("oldest"),
        ])
        .where("kind", "=", "snapshot")
        .executeTakeFirstOrThrow();
      const usage = { count: Number(row.count), bytes: Number(row.bytes), oldest: row.oldest };
      print(Boolean(options.json), usage, () =>
        formatTable(["snapshots", "bytes", "oldest"], [[usage.count, usage.bytes, usage.oldest]]),
      );
    });

  snapshots
    .command("cleanup")
    .description(
      `delete snapshots older than the retention (${context.retentionDays} days) of finished jobs, and orphaned ones; dry run unless --yes`,
    )
    .option("--yes", "really delete")
    .option("--json", "print JSON")
    .action(async (options: { yes?: boolean; json?: boolean }) => {
      const db = context.database();
      const expired = await db
        .selectFrom("catalog_media as m")
        .leftJoin("ops_importjob as j", "j.id", "m.job_id")
        .select([
          "m.id",
          "m.object_key",
          "m.job_id",
          "m.created_at",
          sql<string>`CASE WHEN j.id IS NULL THEN 'orphaned' ELSE 'expired' END`.as("reason"),
        ])
        .where("m.kind", "=", "snapshot")
        .where((eb) =>
          eb.or([
            eb("j.id", "is", null),
            eb.and([
              eb("j.status", "in", ["success", "partial", "failed", "reverted"]),
              sql<boolean>`m.created_at < now() - make_interval(days => ${context.retentionDays})`,
            ]),
          ]),
        )
        .orderBy("m.created_at")
        .execute();
      if (options.yes) {
        for (const record of expired) {
          await deleteObject(context.store(), record.object_key);
          await db.deleteFrom("catalog_media").where("id", "=", record.id).execute();
        }
      }
      print(Boolean(options.json), { deleted: Boolean(options.yes), snapshots: expired }, () =>
        [
          expired.length
            ? formatTable(
                ["key", "job", "created_at", "reason"],
                expired.map((r) => [r.object_key, r.job_id, r.created_at, r.reason]),
              )
            : "Nothing to clean up.",
          options.yes
            ? `Deleted ${expired.length} snapshot(s).`
            : `Dry run: ${expired.length} snapshot(s) would be deleted. Add --yes.`,
        ].join("\n"),
      );
    });
}
