/**
 * Detects a CSV's delimiter among `,` `;` and tab (SPEC §3) from its first records,
 * counting delimiters outside quotes only (a quoted "1,5" or an address with commas
 * does not vote).
 *
 * The header record decides: header cells are names and rarely hold a delimiter, while
 * data cells often do (`;` files from Turkish Excel carry decimal commas). When two
 * candidates split the header equally, the one that splits the next records into the
 * same number of fields more often wins; then the order `,` `;` tab.
 */

/** A delimiter the readers accept. */
export type CsvDelimiter = "," | ";" | "\t";

const CANDIDATES: readonly CsvDelimiter[] = [",", ";", "\t"];
const SAMPLE_RECORDS = 20;

/** The delimiter of the CSV that starts with `text` (`,` when nothing splits the header). */
export function detectDelimiter(text: string): CsvDelimiter {
  const [header, ...rest] = sampleRecords(text);
  if (!header) return ",";
  let best: CsvDelimiter = ",";
  let bestScore: [number, number] = [0, -1];
  for (const candidate of CANDIDATES) {
    const headerCount = header.get(candidate) ?? 0;
    const agreeing = rest.filter((record) => (record.get(candidate) ?? 0) === headerCount).length;
    const score: [number, number] = [headerCount, agreeing];
    if (score[0] > bestScore[0] || (score[0] === bestScore[0] && score[1] > bestScore[1])) {
      best = candidate;
      bestScore = score;
    }
  }
  return bestScore[0] > 0 ? best : ",";
}

/** Delimiter counts of the first non-blank records, quotes respected. */
function sampleRecords(text: string): Map<CsvDelimiter, number>[] {
  const records: Map<CsvDelimiter, number>[] = [];
  let counts = new Map<CsvDelimiter, number>();
  let blank = true;
  let inQuotes = false;
  for (let index = 0; index < text.length && records.length < SAMPLE_RECORDS; index++) {
    const char = text[index] as string;
    if (char === '"') {
      inQuotes = !inQuotes;
      blank = false;
    } else if (inQuotes) {
    } else if (char === "\n" || char === "\r") {
      if (!blank) records.push(counts);
      counts = new Map();
      blank = true;
    } else if (char === "," || char === ";" || char === "\t") {
      counts.set(char, (counts.get(char) ?? 0) + 1);
      blank = false;
    } else if (char.trim() !== "") {
      blank = false;
    }
  }
  if (!blank && records.length < SAMPLE_RECORDS) records.push(counts);
  return records;
}
