/**
 * The Normalization sheet: every change the import made to a cell before validating it
 * (SPEC §3's log), so nobody has to guess why a value differs from what they typed.
 */
import { displayText, numberCell } from "./cell-text";
import type { ReportNormalization } from "./report-model";
import { openSheet, type WriteContext } from "./sheet-writer";

const COLUMNS = [
  { header: "row", width: 8 },
  { header: "column", width: 20 },
  { header: "kind", width: 18 },
  { header: "from", width: 40 },
  { header: "to", width: 40 },
];

/** Writes the Normalization sheet; returns how many entries it holds. */
export async function writeNormalizationSheet(
  context: WriteContext,
  entries: Iterable<ReportNormalization>,
): Promise<number> {
  const sheet = await openSheet(context, "Normalization", COLUMNS);
  let count = 0;
  for (const entry of entries) {
    await sheet.add([
      numberCell(entry.row),
      displayText(entry.column),
      displayText(entry.kind),
      displayText(entry.from),
      displayText(entry.to),
    ]);
    count++;
  }
  await sheet.close();
  return count;
}
