/**
 * Cell normalization (SPEC §3): a cell of any type becomes text or null, with every
 * change logged — numbers keep their digits, dates become ISO dates, then control
 * characters, non-breaking spaces, NFC, trimming and empty tokens.
 */
import { numberToDecimalText } from "./decimal-text";
import { isEmptyToken } from "./empty-tokens";
import type { NormalizationKind, NormalizationLogEntry } from "./normalization-log";
import type { CellValue } from "./raw-row";

/** Where a cell sits, for its log entries. */
export interface CellPosition {
  row: number;
  column: string;
}

/** Receives the log entries of a cell; `undefined` to normalize without logging. */
export type LogSink = ((entry: NormalizationLogEntry) => void) | undefined;

/** A cell as text before any text normalization, and the conversion that made it text. */
interface CellAsText {
  text: string | null;
  kind: NormalizationKind | null;
  from: string | null;
}

/** Turns a non-text cell into the text a person reading the sheet would type. */
export function cellAsText(cell: CellValue | undefined): CellAsText {
  if (cell === null || cell === undefined) return { text: null, kind: null, from: null };
  if (typeof cell === "string") return { text: cell, kind: null, from: null };
  if (typeof cell === "number") {
    if (!Number.isFinite(cell)) return { text: null, kind: "empty_token", from: String(cell) };
    return { text: numberToDecimalText(cell), kind: "number_to_text", from: String(cell) };
  }
  if (typeof cell === "boolean") {
    return { text: cell ? "true" : "false", kind: "boolean_to_text", from: String(cell) };
  }
  const time = cell.getTime();
  if (Number.isNaN(time)) return { text: null, kind: "date_to_text", from: "Invalid Date" };
  return { text: isoDate(cell), kind: "date_to_text", from: cell.toISOString() };
}

/** `YYYY-MM-DD` for a date at midnight UTC (how readers hand over date cells), else the ISO date-time. */
function isoDate(date: Date): string {
  const iso = date.toISOString();
  if (iso.endsWith("T00:00:00.000Z")) return iso.slice(0, 10);
  return iso.replace(/\.000Z$/, "Z");
}

// C0 controls other than tab, line feed and carriage return, DEL, and lone surrogates.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const NO_BREAK_SPACES = /[\u00a0\u2007\u202f]/g;

/** Text that may need more than trimming: anything but printable ASCII, tab, LF and CR. */
const BEYOND_PLAIN_ASCII = /[^\t\n\r\u0020-\u007e]/;

/** The text steps in order; each one that changes the text is logged. */
const TEXT_STEPS: readonly [NormalizationKind, (text: string) => string][] = [
  ["control_characters", (text) => text.replace(CONTROL, "").replace(LONE_SURROGATE, "\ufffd")],
  ["nbsp", (text) => text.replace(NO_BREAK_SPACES, " ")],
  ["nfc", (text) => text.normalize("NFC")],
  ["trim", (text) => text.trim()],
];

/**
 * Normalizes text: control characters, non-breaking spaces, NFC, trim, then an
 * empty token becomes null. Every change goes to `log`.
 */
export function normalizeText(text: string, at: CellPosition, log: LogSink): string | null {
  let value = text;
  if (!BEYOND_PLAIN_ASCII.test(value)) {
    // Printable ASCII, tab and line breaks: no control character, no-break space or
    // surrogate to replace, and NFC leaves it as is, so trimming is the only step that applies.
    const trimmed = value.trim();
    if (trimmed !== value) log?.({ ...at, kind: "trim", from: value, to: trimmed });
    value = trimmed;
  } else {
    value = normalizeSteps(value, at, log);
  }
  // Empty tokens are at most 4 characters; text of more than 8 UTF-16 units holds more
  // than 4 code points, and lower-casing maps each code point to at least one.
  if (value.length > 8 || !isEmptyToken(value)) return value;
  // An empty cell is not a change worth a log line; a token such as `N/A` is.
  if (value !== "") log?.({ ...at, kind: "empty_token", from: value, to: null });
  return null;
}

/** {@link TEXT_STEPS} applied in order, each change logged. */
function normalizeSteps(text: string, at: CellPosition, log: LogSink): string {
  let value = text;
  for (const [kind, step] of TEXT_STEPS) {
    const next = step(value);
    if (next !== value) log?.({ ...at, kind, from: value, to: next });
    value = next;
  }
  return value;
}

/** Normalizes a cell of a text column: its text (see {@link cellAsText}), then {@link normalizeText}. */
export function normalizeCell(
  cell: CellValue | undefined,
  at: CellPosition,
  log: LogSink,
): string | null {
  const { text, kind, from } = cellAsText(cell);
  if (kind) log?.({ ...at, kind, from, to: text });
  return text === null ? null : normalizeText(text, at, log);
}

/** True when the cell is empty or an empty token (no conversion is logged). */
export function isBlankCell(cell: CellValue | undefined): boolean {
  return normalizeCell(cell, { row: 0, column: "" }, undefined) === null;
}
