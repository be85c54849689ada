/**
 * Turns values into the cell values the report writes, so that nothing from user data
 * can become a formula.
 *
 * How exceljs 4.4 decides a cell's type (doc/cell.js `Value.getType`): by the JS type of
 * the value alone. A primitive string is always a String cell, whatever it starts with
 * (`=`, `+`, `-`, `@`); only an object carrying `formula` or `sharedFormula` becomes a
 * Formula cell (and one carrying `text` + `hyperlink` a Hyperlink). The cell renderer
 * (xlsx/xform/sheet/cell-xform.js) writes a String cell as `<c t="s"><v>index</v></c>`
 * with shared strings, or `<c t="str"><v>text</v></c>` without: never an `<f>` element.
 * So the one thing to guarantee is that user data reaches exceljs as a primitive
 * string: {@link textCell} converts anything else (a number or an object that slipped
 * through an untyped JSON path) with `String()`. The text is kept exactly as written:
 * no apostrophe or other prefix, so the Data sheet re-imports to the same values.
 */

/** Excel's limit on the characters of one cell (UTF-16 code units). */
export const EXCEL_MAX_CELL_CHARS = 32_767;

/** A text cell value for user data: the string itself, `null` for nothing, never an object. */
export function textCell(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : String(value);
}

/**
 * A text cell for the sheets people read (not Data): like {@link textCell}, cut to
 * Excel's cell limit with a trailing `…` so that Excel opens the file without a repair.
 * Data cells are never cut: the readers refuse longer cells, so an input's cells fit.
 */
export function displayText(value: unknown): string | null {
  const text = textCell(value);
  if (text === null || text.length <= EXCEL_MAX_CELL_CHARS) return text;
  let end = EXCEL_MAX_CELL_CHARS - 1;
  // Do not split a surrogate pair (a character outside the BMP).
  if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * `items` joined with `", "`, stopping before Excel's cell limit with `… (+N more)`,
 * e.g. the row numbers of a candidate (`2, 5, 9`).
 */
export function joinForCell(items: Iterable<string | number>): string {
  const all = Array.from(items, String);
  // Room for the longest possible suffix, so the cut text still fits.
  const budget = EXCEL_MAX_CELL_CHARS - ` … (+${all.length} more)`.length;
  let text = "";
  for (let index = 0; index < all.length; index++) {
    const next = index === 0 ? all[index] : `, ${all[index]}`;
    if (text.length + (next?.length ?? 0) > budget) {
      return `${text} … (+${all.length - index} more)`;
    }
    text += next;
  }
  return text;
}

/** A date as ISO 8601 text (UTC), or the stored text as it is; `null` when absent. */
export function dateText(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return textCell(value);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * A number cell for counts and line numbers. These never come from a cell's text, but
 * an untyped path could still hand over something else: that is written as text.
 */
export function numberCell(value: unknown): number | string | null {
  return typeof value === "number" ? value : textCell(value);
}

/** A boolean cell for flags (db_verify), with the same fallback to text. */
export function booleanCell(value: unknown): boolean | string | null {
  return typeof value === "boolean" ? value : textCell(value);
}
