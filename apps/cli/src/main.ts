/**
 * importctl: one command per procedure of the operations runbook (SPEC §13).
 * Human tables by default, `--json` for scripts. Run from the repository root as
 * `npx importctl …`.
 */
import { createImportApi, type ImportApi } from "@catalog/client";
import { parseEnvOrExit } from "@catalog/config";
import { createDb, type Database } from "@catalog/db";
import { closeImportQueues, createImportQueues, type ImportQueues } from "@catalog/jobs";
import { createProducerConnection, type RedisConnection } from "@catalog/queue";
import { createS3Client, type ObjectStore, s3SettingsFromEnv } from "@catalog/storage";
import { Command, CommanderError } from "commander";
import type { Kysely } from "kysely";
import packageJson from "../package.json";
import { errorsCommands } from "./commands/errors";
import { importCommand } from "./commands/import";
import { jobsCommands } from "./commands/jobs";
import { workRequestCommands } from "./commands/work-requests";
import { snapshotsCommands } from "./commands/snapshots";
import { tokensCommand } from "./commands/tokens";
import { webhooksCommands } from "./commands/webhooks";
import { cliEnvShape } from "./env";
import { commanderExitCode, isUsageError, USAGE_EXIT_CODE } from "./usage";

async function main(argv: string[]): Promise<void> {
  const env = parseEnvOrExit(cliEnvShape);
  let db: Kysely<Database> | undefined;
  const database = () => {
    db ??= createDb({ url: env.DATABASE_URL, poolSize: 2, applicationName: "importctl" });
    return db;
  };

  let objectStore: ObjectStore | undefined;
  const store = () => {
    objectStore ??= { client: createS3Client(s3SettingsFromEnv(env)), bucket: env.S3_BUCKET };
    return objectStore;
  };

  // Producer side of the queues, for retry and revert only; fails fast when Redis is down.
  let redis: RedisConnection | undefined;
  let queues: ImportQueues | undefined;
  const workQueues = () => {
    if (!queues) {
      const connection = createProducerConnection(env.REDIS_URL);
      // Reported by the command that needed Redis (it answers UNAVAILABLE).
      connection.on("error", () => undefined);
      redis = connection;
      queues = createImportQueues(connection, env.QUEUE_PREFIX);
    }
    return queues;
  };

  const program = new Command("importctl")
    .description("Operate the catalog import service")
    .version(packageJson.version, "-V, --version")
    .addHelpText(
      "after",
      "\nExit status: 0 done, 1 the operation failed or found a problem, 2 a usage error\n(import also: 3 done with row errors, 4 refused; see import --help).",
    )
    .showHelpAfterError()
    // Throw instead of exiting, so usage errors exit 2 (see main's catch).
    // Set before the commands are added: subcommands inherit it.
    .exitOverride();
  jobsCommands(program, { database, stuckAfterS: env.STUCK_AFTER_S });
  errorsCommands(program, { database });
  workRequestCommands(program, { database, queues: workQueues });
  snapshotsCommands(program, { database, store, retentionDays: env.SNAPSHOT_RETENTION_DAYS });
  tokensCommand(program, database);
  webhooksCommands(program, database);
  importCommand(program, (): ImportApi => {
    if (!env.IMPORT_API_TOKEN) {
      throw new Error("IMPORT_API_TOKEN is unset: create one with `importctl tokens create`");
    }
    return createImportApi({ baseUrl: env.IMPORT_API_URL, token: env.IMPORT_API_TOKEN });
  });

  try {
    await program.parseAsync(argv);
  } finally {
    if (queues) await closeImportQueues(queues).catch(() => undefined);
    redis?.disconnect();
    await db?.destroy();
    objectStore?.client.destroy();
  }
}

main(process.argv).catch((error: unknown) => {
  // Commander has already printed its own message (and the help) for its errors.
  if (error instanceof CommanderError) process.exit(commanderExitCode(error));
  process.stderr.write(`importctl: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(isUsageError(error) ? USAGE_EXIT_CODE : 1);
});
