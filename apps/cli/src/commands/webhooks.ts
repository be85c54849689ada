/**
 * `importctl webhooks deliveries <id>`: a job's webhook events and every
 * delivery attempt (what the deliveries route answers), from Postgres.
 */
import type { Database } from "@catalog/db";
import { findImportJob, listWebhookDeliveries } from "@catalog/jobs";
import type { Command } from "commander";
import type { Kysely } from "kysely";
import { formatTable, print } from "../output";

export function webhooksCommands(program: Command, database: () => Kysely<Database>): void {
  const webhooks = program.command("webhooks").description("webhook deliveries of jobs");
  webhooks
    .command("deliveries")
    .description("a job's webhook events with every attempt (status code, duration, error)")
    .argument("<id>", "the job's id")
    .option("--json", "print JSON")
    .action(async (id: string, options: { json?: boolean }) => {
      if (!(await findImportJob(database(), id))) {
        process.stderr.write(`No job ${id}\n`);
        process.exitCode = 1;
        return;
      }
      const events = await listWebhookDeliveries(database(), id);
      print(Boolean(options.json), events, () =>
        events.length
          ? formatTable(
              ["webhook_id", "type", "state", "attempt", "started_at", "ms", "status", "error"],
              events.flatMap((event) =>
                event.attempts.length
                  ? event.attempts.map((attempt) => [
                      event.id,
                      event.type,
                      event.state,
                      attempt.attempt,
                      attempt.started_at,
                      attempt.duration_ms,
                      attempt.status_code,
                      attempt.error,
                    ])
                  : [[event.id, event.type, event.state, null, null, null, null, "no attempt yet"]],
              ),
            )
          : "No webhook events (the job has no callback_url, or no phase has ended).",
      );
    });
}
