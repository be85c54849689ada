/**
 * The Data sheet: the valid rows, normalized, under the input's own header, so that
 * uploading the report re-imports them (SPEC §9: after the commit it plans zero
 * changes). Hence every cell is text exactly as normalized (a price stays "1234.50",
 * a code "6010"), never a number, never cut, never prefixed, and the sheet is named
 * `Data`, which the readers pick over the others.
 */
import { textCell } from "./cell-text";
import type { ReportData } from "./report-model";
import { openSheet, type WriteContext, widthForHeader } from "./sheet-writer";

/** Writes the Data sheet; returns how many data rows it holds. */
export async function writeDataSheet(context: WriteContext, data: ReportData): Promise<number> {
  const header = data.header.map((name) => textCell(name) ?? "");
  const sheet = await openSheet(
    context,
    "Data",
    header.map((name) => ({ header: name, width: widthForHeader(name) })),
  );
  let count = 0;
  for (const row of data.rows) {
    await sheet.add(row.cells.map(textCell));
    count++;
  }
  sheet.close();
  return count;
}
