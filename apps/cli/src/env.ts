/** importctl's settings: where the database, Redis and bucket are, and the API for `import`. */
import { databaseEnv, limitsEnv, redisEnv, s3Env } from "@catalog/config";
import { z } from "zod";

export const cliEnvShape = {
  ...databaseEnv,
  ...redisEnv,
  ...s3Env,
  ...limitsEnv,
  /** The API `importctl import` talks to (as an API client would). */
  IMPORT_API_URL: z.url().default("http://127.0.0.1:3000"),
  /** Bearer token for `importctl import` (importer role; `importctl tokens create`). */
  IMPORT_API_TOKEN: z.string().min(1).optional(),
};
export type CliEnv = z.infer<z.ZodObject<typeof cliEnvShape>>;
