/**
 * SpreadsheetML for the report's rows, as exceljs's row and cell renderers write it
 * (xlsx/xform/sheet/row-xform.js, cell-xform.js), built as strings: the report writes
 * a sheet's rows itself, without exceljs's row and cell objects, which cost more than
 * the rest of the report together.
 *
 * This is also where the report's promise about user data is kept: a text value is
 * only ever written as a string cell (`t="str"` inline, or `t="s"` from the shared
 * strings), its text escaped as XML character data; a number as a number, a boolean as
 * a boolean. Nothing here writes an `<f>` (formula) element, whatever a text starts with.
 */

/** A value the report writes into a cell (user text goes through cell-text.ts first). */
export type ReportCellValue = string | number | boolean | null;

/** How one cell is written besides its value. */
export interface CellFormat {
  /** The style's id in the workbook's styles (0: the default, which an empty cell omits). */
  styleId: number;
  /** The shared-strings index to write a text as, instead of inline. */
  sharedString?: number;
}

/** The A1-style letters of 0-based column `index` (0 → A, 26 → AA). */
export function columnLetters(index: number): string {
  let letters = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

/** A row's opening tag: its number, optional height (points) and the span of its cells. */
export function rowOpen(row: number, width: number, height?: number): string {
  const ht = height ? ` ht="${height}" customHeight="1"` : "";
  const spans = width > 0 ? ` spans="1:${width}"` : "";
  return `<row r="${row}"${ht}${spans} x14ac:dyDescent="0.25">`;
}

export const ROW_CLOSE = "</row>";

/** One cell at `ref` (e.g. `B7`); an empty cell in the default style is left out. */
export function cellXml(ref: string, value: ReportCellValue, format: CellFormat): string {
  const s = format.styleId ? ` s="${format.styleId}"` : "";
  switch (typeof value) {
    case "string":
      return format.sharedString === undefined
        ? `<c r="${ref}"${s} t="str"><v>${xmlText(value)}</v></c>`
        : `<c r="${ref}"${s} t="s"><v>${format.sharedString}</v></c>`;
    case "number":
      // A number that XML cannot carry as one is written as its text.
      return Number.isFinite(value)
        ? `<c r="${ref}"${s}><v>${value}</v></c>`
        : cellXml(ref, String(value), format);
    case "boolean":
      return `<c r="${ref}"${s} t="b"><v>${value ? 1 : 0}</v></c>`;
    default:
      return format.styleId ? `<c r="${ref}"${s}/>` : "";
  }
}

// XML 1.0 has no place for C0 controls other than tab, line feed and carriage return
// (exceljs drops them too).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/g;
const SPECIAL = /[&<>"']/g;
const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/** `text` as XML character data (and attribute value). */
export function xmlText(text: string): string {
  return text.replace(NOT_XML, "").replace(SPECIAL, (char) => ESCAPES[char] ?? char);
}
