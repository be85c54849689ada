/** importctl's settings: where the database, Redis and bucket are. */
import { databaseEnv, limitsEnv, redisEnv, s3Env } from "@catalog/config";
import type { z } from "zod";

export const cliEnvShape = { ...databaseEnv, ...redisEnv, ...s3Env, ...limitsEnv };
export type CliEnv = z.infer<z.ZodObject<typeof cliEnvShape>>;
