/**
 * Snapshot procedures: `snapshot verify <id>|--all` (re-hash stored snapshots
 * against Postgres), `snapshots usage`, `snapshots cleanup` (the retention's
 * plan over the whole bucket: objects of jobs past SNAPSHOT_RETENTION_DAYS and
 * objects no job refers to; dry run unless --yes).
 */
import { createHash } from "node:crypto";
import type { Database } from "@catalog/db";
import { applyRetention, DEFAULT_ORPHAN_GRACE_MS, planRetention } from "@catalog/jobs";
import { getObjectStream, type ObjectStore, ObjectNotFoundError } from "@catalog/storage";
import { type Command, Option } from "commander";
import { type Kysely, sql } from "kysely";
import { formatTable, print } from "../output";
import { duration, jobId, UsageError } from "../usage";

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
    .argument("[job-id]", "the job's id", jobId)
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
      `the retention: inputs, reports and snapshots of jobs finished more than ${context.retentionDays} days ago (SNAPSHOT_RETENTION_DAYS), and objects no job refers to; never the snapshot of a job that can still be committed. The same plan the workers apply daily. Dry run unless --yes`,
    )
    .addOption(
      new Option("--grace <age>", "leave objects no job refers to alone until this old")
        .argParser(duration)
        .default(DEFAULT_ORPHAN_GRACE_MS, "24h"),
    )
    .option("--yes", "really delete (each deletion is recorded in ops_object_deletion)")
    .option("--json", "print JSON")
    .action(async (options: { grace: number; yes?: boolean; json?: boolean }) => {
      const db = context.database();
      const plan = await planRetention(db, context.store(), {
        retentionDays: context.retentionDays,
        orphanGraceMs: options.grace,
      });
      const result = options.yes
        ? await applyRetention(db, context.store(), plan, "importctl")
        : { deleted: [], skipped: [] };
      const items = options.yes ? result.deleted : plan.items;
      const bytes = items.reduce((sum, item) => sum + item.sizeBytes, 0);
      print(
        Boolean(options.json),
        {
          deleted: Boolean(options.yes),
          retention_days: plan.retentionDays,
          expired_before: plan.expiredBefore,
          orphaned_before: plan.orphanedBefore,
          scanned: plan.scanned,
          bytes,
          items: items.map((item) => ({
            key: item.key,
            kind: item.kind,
            job_id: item.jobId,
            reason: item.reason,
            size_bytes: item.sizeBytes,
            last_modified: item.lastModified,
          })),
          skipped: result.skipped.map((item) => item.key),
        },
        () =>
          [
            items.length
              ? formatTable(
                  ["key", "kind", "job", "reason", "bytes", "last_modified"],
                  items.map((item) => [
                    item.key,
                    item.kind,
                    item.jobId,
                    item.reason,
                    item.sizeBytes,
                    item.lastModified,
                  ]),
                )
              : "Nothing to clean up.",
            options.yes
              ? `Deleted ${items.length} object(s), ${bytes} bytes (${result.skipped.length} skipped: referred to again).`
              : `Dry run: ${items.length} object(s), ${bytes} bytes, of ${plan.scanned} would be deleted. Add --yes.`,
          ].join("\n"),
      );
    });
}
