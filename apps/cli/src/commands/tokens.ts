/** `importctl tokens create|list|revoke`: API bearer tokens (SPEC §8). */
import { createApiToken, listApiTokens, revokeApiToken } from "@catalog/auth";
import { type Database, ROLES, type Role } from "@catalog/db";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { Kysely } from "kysely";
import { formatTable, print } from "../output";

export function tokensCommand(program: Command, database: () => Kysely<Database>): void {
  const tokens = program.command("tokens").description("create, list and revoke API tokens");

  tokens
    .command("create")
    .description("create a token; it is printed once and stored only as a hash")
    .requiredOption(
      "--email <email>",
      "who the token is for (recorded as created_by on jobs)",
      (value) => {
        if (!/^[^@\s]+@[^@\s]+$/.test(value))
          throw new InvalidArgumentError("not an email address");
        return value;
      },
    )
    .addOption(new Option("--role <role>", "what it may do").choices(ROLES).makeOptionMandatory())
    .option("--json", "print JSON")
    .action(async (options: { email: string; role: Role; json?: boolean }) => {
      const { token, record } = await createApiToken(database(), options.email, options.role);
      print(Boolean(options.json), { token }, () =>
        [
          `Token for ${record.email} (${record.role}), id ${record.id}:`,
          "",
          `  ${token}`,
          "",
          "It is shown only now. Use it as: Authorization: Bearer <token>",
        ].join("\n"),
      );
    });

  tokens
    .command("list")
    .description("list tokens (never the tokens themselves)")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const records = await listApiTokens(database());
      const rows = records.map(({ token_hash: _hash, ...record }) => record);
      print(Boolean(options.json), rows, () =>
        formatTable(
          ["id", "prefix", "email", "role", "created_at", "last_used_at", "revoked_at"],
          rows.map((r) => [
            r.id,
            r.token_prefix,
            r.email,
            r.role,
            r.created_at,
            r.last_used_at,
            r.revoked_at,
          ]),
        ),
      );
    });

  tokens
    .command("revoke")
    .description("revoke a token by id or by its displayed prefix")
    .argument("<id-or-prefix>")
    .option("--json", "print JSON")
    .action(async (idOrPrefix: string, options: { json?: boolean }) => {
      const revoked = await revokeApiToken(database(), idOrPrefix);
      if (revoked === 0) {
        process.stderr.write(`No active token matches ${idOrPrefix}\n`);
        process.exitCode = 1;
        return;
      }
      print(Boolean(options.json), { revoked }, () => `Revoked ${revoked} token(s).`);
    });
}
