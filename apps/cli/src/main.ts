/**
 * importctl: one command per procedure of the operations runbook (SPEC §13).
 * Human tables by default, `--json` for scripts. Run from the repository root as
 * `npx importctl …`.
 */
import { createImportApi, type ImportApi } from "@catalog/client";
import { parseEnvOrExit } from "@catalog/config";
import { createDb, type Database } from "@catalog/db";
import { createS3Client, type ObjectStore, s3SettingsFromEnv } from "@catalog/storage";
import { Command } from "commander";
import type { Kysely } from "kysely";
import { importCommand } from "./commands/import";
import { jobsCommands } from "./commands/jobs";
import { snapshotsCommands } from "./commands/snapshots";
import { tokensCommand } from "./commands/tokens";
import { webhooksCommands } from "./commands/webhooks";
import { cliEnvShape } from "./env";

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

  const program = new Command("importctl")
    .description("Operate the catalog import service")
    .showHelpAfterError();
  jobsCommands(program, { database, stuckAfterS: env.STUCK_AFTER_S });
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
    await db?.destroy();
    objectStore?.client.destroy();
  }
}

main(process.argv).catch((error: unknown) => {
  process.stderr.write(`importctl: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
