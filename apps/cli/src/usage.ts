/**
 * How importctl tells a mistake in the command line from a failure: usage
 * errors (unknown command, bad option value, missing argument) exit 2, so a
 * script can tell "I called it wrong" from "the job failed" (exit 1). Also the
 * option parsers every command shares.
 */
import { CommanderError, InvalidArgumentError } from "commander";

/** Exit status of a command-line mistake. */
export const USAGE_EXIT_CODE = 2;

/** A mistake in how importctl was called, found after commander parsed the line. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The exit status for an error thrown out of commander: 0 for help/version, else 2. */
export function commanderExitCode(error: CommanderError): number {
  // Help and --version asked for are not errors; help shown because a command
  // was missing is (commander reports it as "commander.help" with exitCode 1).
  if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
  return USAGE_EXIT_CODE;
}

/** True for errors that mean importctl was called wrongly. */
export function isUsageError(error: unknown): error is CommanderError | UsageError {
  return error instanceof CommanderError || error instanceof UsageError;
}

/** Parses a whole number at least `min`; anything else is a usage error. */
export function wholeNumber(min: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    return Number(value);
  };
}

const UNIT_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * Parses a point in time: a relative age (`30m`, `24h`, `7d`, `2w`: that long
 * before `now`) or an ISO 8601 date or date-time (`2024-05-01`,
 * `2024-05-01T12:00:00Z`).
 */
export function parseInstant(value: string, now: Date = new Date()): Date {
  const relative = /^(\d+)([mhdw])$/.exec(value.trim());
  if (relative) {
    const [, amount, unit] = relative;
    return new Date(now.getTime() - Number(amount) * (UNIT_SECONDS[unit ?? "h"] ?? 3600) * 1000);
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) {
    const date = new Date(value.trim());
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new InvalidArgumentError(
    "expected an age like 30m, 24h, 7d or an ISO date like 2024-05-01",
  );
}

/** Parses a length of time (`0m`, `30m`, `24h`, `7d`, `2w`) into milliseconds. */
export function duration(value: string): number {
  const match = /^(\d+)([mhdw])$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError("expected a length of time like 30m, 24h or 7d");
  return Number(match[1]) * (UNIT_SECONDS[match[2] ?? "h"] ?? 3600) * 1000;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses a job id (a UUID); anything else is a usage error. */
export function jobId(value: string): string {
  if (!UUID.test(value)) throw new InvalidArgumentError("expected a job id (UUID)");
  return value;
}

/** Commander option parser for {@link parseInstant}. */
export const instant = (value: string): Date => parseInstant(value);
