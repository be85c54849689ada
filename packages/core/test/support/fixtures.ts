/**
 * Test-only: the catalog fixtures (test/fixtures) as RawRows — CSV through the
 * test CSV helper, XLSX through the real reader (@catalog/readers).
 */
import { readFileSync } from "node:fs";
import type { RawRow } from "@catalog/core";
import { readRows } from "@catalog/readers";
import { fixturePath } from "@catalog/testing";
import { type CsvFormat, parseCsv } from "./csv";

export { readFixtureJson } from "@catalog/testing";

/** How each CSV fixture is written (README: Excel exports; 03 is Windows-1254 with `;`). */
const CSV_FORMATS: Record<string, CsvFormat> = {
  "02_update.csv": { encoding: "utf-8", delimiter: "," },
  "03_turkish.csv": { encoding: "windows-1254", delimiter: ";" },
  "06_missing_column.csv": { encoding: "utf-8", delimiter: "," },
  "07_updates.csv": { encoding: "utf-8", delimiter: "," },
};

/** The rows of fixture `name`. */
export async function fixtureRows(name: string): Promise<RawRow[]> {
  const format = CSV_FORMATS[name];
  if (format) return parseCsv(readFileSync(fixturePath(name)), format);
  return readRows(fixturePath(name));
}
