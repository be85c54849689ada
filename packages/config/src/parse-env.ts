/**
 * Parses a process's environment once, at start. A bad value stops the process
 * with a message naming each offending variable, rather than failing later in a
 * way that hides the cause.
 */
import { z } from "zod";

/** Thrown when the environment does not fit the schema; the message names every bad variable. */
export class EnvError extends Error {
  override readonly name = "EnvError";
}

/**
 * Parses `source` (default `process.env`) against `shape`.
 * Empty strings count as unset, so `PORT=` falls back to the default.
 * @throws EnvError naming each invalid variable and why.
 */
export function parseEnv<Shape extends z.ZodRawShape>(
  shape: Shape,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<Shape>> {
  const present = Object.fromEntries(
    Object.keys(shape)
      .filter((key) => source[key] !== undefined && source[key] !== "")
      .map((key) => [key, source[key]]),
  );
  const result = z.object(shape).safeParse(present);
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (issue) =>
      `  ${issue.path.join(".")}=${JSON.stringify(present[String(issue.path[0])])}: ${issue.message}`,
  );
  throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
}

/**
 * Parses the environment or exits the process with status 78 (EX_CONFIG) after
 * printing which variables are wrong. For `main.ts` files.
 */
export function parseEnvOrExit<Shape extends z.ZodRawShape>(
  shape: Shape,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<Shape>> {
  try {
    return parseEnv(shape, source);
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}
