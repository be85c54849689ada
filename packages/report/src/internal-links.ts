/**
 * Hyperlinks from one sheet to a cell of another (the Issues sheet to the Data sheet),
 * stored as spreadsheet hyperlinks with a `location`, as Excel and LibreOffice write
 * them: no HYPERLINK formula, no relationship, nothing that leaves the file.
 *
 * exceljs 4.4's streaming writer sends every hyperlink of a sheet through that sheet's
 * relationships writer (stream/xlsx/sheet-rels-writer.js `addHyperlink`), which stores
 * it as an external relationship and keeps `{rId, address}` for the sheet's
 * `<hyperlinks>`. Its HyperlinkXform already writes an in-workbook link
 * (`<hyperlink ref="C2" location="Data!H7"/>`) for an entry whose `target` is a
 * location and that has no rId; {@link keepInternalLinks} makes the writer keep such
 * entries for a location. Neither part is in exceljs's typings, so the shapes are
 * checked: should a later exceljs differ, links fall back to `#Data!H7` targets, which
 * Excel and LibreOffice also follow within the file.
 */
import type ExcelJS from "exceljs";

/** `Sheet!A1`: what exceljs's HyperlinkXform takes for a location (`isInternalLink`). */
const LOCATION = /^[^!]+![a-zA-Z]+\d+$/;

interface HyperlinkEntry {
  address: string;
  target: string;
  tooltip?: string;
}

interface SheetRelsWriter {
  addHyperlink(link: HyperlinkEntry): void;
  _hyperlinks: object[];
}

/** Turns `sheet`'s hyperlinks to a location into in-workbook links; false when it cannot. */
export function keepInternalLinks(sheet: ExcelJS.Worksheet): boolean {
  const rels = (sheet as unknown as { _sheetRelsWriter?: Partial<SheetRelsWriter> })
    ._sheetRelsWriter;
  const external = rels?.addHyperlink;
  const kept = rels?._hyperlinks;
  if (!rels || typeof external !== "function" || !Array.isArray(kept)) return false;
  rels.addHyperlink = (link: HyperlinkEntry) => {
    if (LOCATION.test(link.target)) kept.push({ address: link.address, target: link.target });
    else external.call(rels, link);
  };
  return true;
}

/**
 * The link target of cell `ref` (e.g. `H7`) on sheet `sheetName` (a name of the
 * report's own, needing no quotes): a location when `internal`, else its `#` form.
 */
export function linkTarget(sheetName: string, ref: string, internal: boolean): string {
  return `${internal ? "" : "#"}${sheetName}!${ref}`;
}

/** The A1-style letters of 0-based column `index` (0 → A, 26 → AA). */
export function columnLetters(index: number): string {
  let letters = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}
