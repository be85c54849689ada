/**
 * Test-only: a tiny CSV parser that turns fixture bytes into the core's RawRows the way
 * a reader would (record numbers from 1, blank records counted, cells as strings).
 * Quoted fields may hold delimiters, doubled quotes and line breaks.
 */
import type { RawRow } from "@catalog/core";

/** How a CSV file is written. */
export interface CsvFormat {
  encoding: "utf-8" | "windows-1254";
  delimiter: "," | ";" | "\t";
}

/** Parses CSV `bytes` into RawRows. */
export function parseCsv(bytes: Uint8Array, format: CsvFormat): RawRow[] {
  const text = new TextDecoder(format.encoding).decode(bytes); // drops a UTF-8 BOM
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === format.delimiter) {
      record.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[index + 1] === "\n") index++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += char;
  }
  if (field !== "" || record.length > 0) records.push([...record, field]);
  return records.map((cells, index) => ({ row: index + 1, cells }));
}

/** Writes RawRow-like cells as CSV text (for round trips in tests). */
export function toCsv(rows: readonly (readonly (string | null)[])[], delimiter = ","): string {
  const quote = (cell: string | null) => {
    const text = cell ?? "";
    return /["\r\n]/.test(text) || text.includes(delimiter)
      ? `"${text.replace(/"/g, '""')}"`
      : text;
  };
  return rows.map((cells) => cells.map(quote).join(delimiter)).join("\r\n");
}
