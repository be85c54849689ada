/**
 * Reads a written report back for assertions: with exceljs's (non-streaming) reader,
 * as a person's spreadsheet would see it, and as raw sheet XML from the zip (yauzl), to
 * check what is actually stored in a cell (type attribute, no <f> element).
 */
import ExcelJS from "exceljs";
import yauzl from "yauzl";

/** The report as exceljs's full reader loads it. */
export async function loadWorkbook(file: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  return workbook;
}

/** A sheet by name; fails the test when it is missing. */
export function sheetNamed(workbook: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const sheet = workbook.getWorksheet(name);
  if (!sheet) throw new Error(`no sheet named ${name}`);
  return sheet;
}

/** Row `row`'s cell values over `width` columns (empty cells as `null`). */
export function rowValues(sheet: ExcelJS.Worksheet, row: number, width: number): unknown[] {
  const line = sheet.getRow(row);
  return Array.from({ length: width }, (_, index) => line.getCell(index + 1).value ?? null);
}

/** Every row from `from` to the last one, over `width` columns. */
export function rowsFrom(sheet: ExcelJS.Worksheet, from: number, width: number): unknown[][] {
  const rows: unknown[][] = [];
  for (let row = from; row <= sheet.rowCount; row++) rows.push(rowValues(sheet, row, width));
  return rows;
}

/** The zip entries of `file`, inflated, as text. */
export async function readZipText(file: string): Promise<Map<string, string>> {
  const zipfile = await yauzl.openPromise(file, { lazyEntries: true });
  const entries = new Map<string, string>();
  try {
    for await (const entry of zipfile.eachEntry()) {
      const chunks: Buffer[] = [];
      for await (const chunk of await zipfile.openReadStreamPromise(entry)) chunks.push(chunk);
      entries.set(entry.fileName, Buffer.concat(chunks).toString("utf8"));
    }
  } finally {
    zipfile.close();
  }
  return entries;
}

/** One stored cell: its raw XML, type attribute and text (shared strings resolved). */
export interface RawCell {
  xml: string;
  type: string | undefined;
  text: string | undefined;
}

/** The report's sheets as raw XML, by sheet name, with a cell lookup. */
export interface RawReport {
  sheetNames: string[];
  sheetXml(name: string): string;
  cell(sheet: string, ref: string): RawCell;
}

/** Opens `file` as raw parts: sheet names from workbook.xml, parts from its rels. */
export async function readRawReport(file: string): Promise<RawReport> {
  const parts = await readZipText(file);
  const part = (name: string) => {
    const text = parts.get(name);
    if (text === undefined) throw new Error(`no part ${name}`);
    return text;
  };
  const targets = new Map(
    [...part("xl/_rels/workbook.xml.rels").matchAll(/<Relationship [^>]*>/g)].map((match) => [
      attribute(match[0], "Id"),
      attribute(match[0], "Target"),
    ]),
  );
  const sheets = [...part("xl/workbook.xml").matchAll(/<sheet [^>]*>/g)].map((match) => ({
    name: decodeXml(attribute(match[0], "name") ?? ""),
    path: `xl/${targets.get(attribute(match[0], "r:id"))}`,
  }));
  const shared = [...(parts.get("xl/sharedStrings.xml") ?? "").matchAll(/<si>(.*?)<\/si>/gs)].map(
    (match) =>
      decodeXml([...(match[1] ?? "").matchAll(/<t[^>]*>(.*?)<\/t>/gs)].map((t) => t[1]).join("")),
  );
  const sheetXml = (name: string) => {
    const sheet = sheets.find((candidate) => candidate.name === name);
    if (!sheet) throw new Error(`no sheet named ${name}`);
    return part(sheet.path);
  };
  return {
    sheetNames: sheets.map((sheet) => sheet.name),
    sheetXml,
    cell(sheet, ref) {
      const xml = new RegExp(`<c r="${ref}"[^>]*?(?:/>|>.*?</c>)`, "s").exec(sheetXml(sheet))?.[0];
      if (!xml) throw new Error(`no cell ${ref} in ${sheet}`);
      const type = attribute(xml.slice(0, xml.indexOf(">")), "t");
      const inner = /<v>(.*?)<\/v>/s.exec(xml)?.[1];
      const text =
        type === "s" ? shared[Number(inner)] : inner === undefined ? undefined : decodeXml(inner);
      return { xml, type, text };
    },
  };
}

function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

/** Decodes the five XML entities once, as an XML parser does. */
function decodeXml(text: string): string {
  const entities: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
  return text.replace(/&(lt|gt|amp|quot|apos);/g, (_, name: string) => entities[name] ?? "");
}
