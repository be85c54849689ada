/**
 * Empty tokens: cell texts that spreadsheets and exports use for "no value". They are
 * read as an empty cell (SPEC §3), whatever their case.
 */

const EMPTY_TOKENS: ReadonlySet<string> = new Set(["", "-", "nan", "null", "none", "n/a", "#n/a"]);

/** True when `text`, trimmed and in any case, is empty or an empty token. */
export function isEmptyToken(text: string): boolean {
  return EMPTY_TOKENS.has(text.trim().toLowerCase());
}
