/**
 * The Candidates sheet (smart mode): the categories, series and brands an import will
 * create, each with the lines of the rows that need it, so a person can check a
 * misspelt name before committing.
 */
import { displayText, joinForCell } from "./cell-text";
import type { ReportCandidate, ReportCandidates } from "./report-model";
import { openSheet, type SheetWriter, type WriteContext } from "./sheet-writer";

const COLUMNS = [
  { header: "type", width: 10 },
  { header: "slug", width: 30 },
  { header: "name", width: 34 },
  { header: "category", width: 30 },
  { header: "rows", width: 40 },
];

/** Writes the Candidates sheet; returns how many candidates it holds. */
export async function writeCandidatesSheet(
  context: WriteContext,
  candidates: ReportCandidates,
): Promise<number> {
  const sheet = await openSheet(context, "Candidates", COLUMNS);
  let count = 0;
  for (const category of candidates.categories) {
    await addCandidate(sheet, "category", category, null);
    count++;
  }
  for (const series of candidates.series) {
    await addCandidate(sheet, "series", series, series.category_slug);
    count++;
  }
  for (const brand of candidates.brands) {
    await addCandidate(sheet, "brand", brand, null);
    count++;
  }
  await sheet.close();
  return count;
}

function addCandidate(
  sheet: SheetWriter,
  type: string,
  candidate: ReportCandidate,
  categorySlug: string | null,
): Promise<void> {
  return sheet.add([
    type,
    displayText(candidate.slug),
    displayText(candidate.name),
    displayText(categorySlug),
    joinForCell(candidate.rows),
  ]);
}
