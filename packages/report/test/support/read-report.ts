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

/** One machine-readable line of the Summary: section, item, value. */
export type SummaryLine = [section: string, item: string, value: unknown];

/** Where the defined name `summary_values` points: sheet, rows and columns (1-based). */
interface ValuesRange {
  sheet: ExcelJS.Worksheet;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

function summaryValuesRange(workbook: ExcelJS.Workbook): ValuesRange {
  const { ranges } = workbook.definedNames.getRanges("summary_values");
  if (ranges.length !== 1) throw new Error(`summary_values names ${ranges.length} ranges`);
  const match = /^'?([^'!]+)'?!\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)$/.exec(ranges[0] ?? "");
  if (!match) throw new Error(`summary_values is ${ranges[0]}`);
  const [, name = "", left = "", top = "", right = "", bottom = ""] = match;
  const sheet = sheetNamed(workbook, name);
  return {
    sheet,
    top: Number(top),
    bottom: Number(bottom),
    left: sheet.getColumn(left).number,
    right: sheet.getColumn(right).number,
  };
}

/**
 * The Summary's machine-readable values, found as a script finds them: through the
 * workbook's defined name `summary_values`, whose first row is the block's header
 * (section, item, value) and whose columns are read by those headers.
 */
export function summaryLines(workbook: ExcelJS.Workbook): SummaryLine[] {
  const { sheet, top, bottom, left, right } = summaryValuesRange(workbook);
  const header = rowValues(sheet, top, right).slice(left - 1);
  const at = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`summary_values has no ${name} column: ${header.join("|")}`);
    return left + index;
  };
  const columns = [at("section"), at("item"), at("value")] as const;
  const lines: SummaryLine[] = [];
  for (let row = top + 1; row <= bottom; row++) {
    const line = sheet.getRow(row);
    const [section, item, value] = columns.map((column) => line.getCell(column).value ?? null);
    lines.push([String(section), String(item), value]);
  }
  return lines;
}

/** The Summary's machine-readable `value` of `section`/`item`; fails when the line is missing. */
export function summaryValue(workbook: ExcelJS.Workbook, section: string, item: string): unknown {
  const line = summaryLines(workbook).find(([s, i]) => s === section && i === item);
  if (!line) throw new Error(`no Summary line ${section} / ${item}`);
  return line[2];
}

/**
 * What the Summary says to people (everything above the machine-readable values' own
 * heading), one entry per non-empty row, its cells joined by " | " (a merged range once).
 */
export function summaryText(workbook: ExcelJS.Workbook): string[] {
  const { sheet, top } = summaryValuesRange(workbook);
  const lines: string[] = [];
  for (let row = 1; row < top - 1; row++) {
    const cells: string[] = [];
    sheet.getRow(row).eachCell((cell) => {
      if (cell.isMerged && cell.master.address !== cell.address) return;
      if (cell.value !== null && cell.value !== "") cells.push(String(cell.value));
    });
    if (cells.length > 0) lines.push(cells.join(" | "));
  }
  return lines;
}

/** A cell's note as plain text (exceljs reads a note as a string or as rich text). */
export function noteText(cell: ExcelJS.Cell): string | undefined {
  const note = cell.note as string | { texts?: { text: string }[] } | undefined;
  if (note === undefined || typeof note === "string") return note;
  return note.texts?.map((part) => part.text).join("");
}

/** A cell's solid fill colour (ARGB), if any. */
export function fillOf(cell: ExcelJS.Cell): string | undefined {
  const { fill } = cell;
  return fill?.type === "pattern" ? fill.fgColor?.argb : undefined;
}

/** The Data sheet's marked cells: reference, fill colour and note. */
export function dataMarks(
  workbook: ExcelJS.Workbook,
): { ref: string; fill: string | undefined; note: string | undefined }[] {
  const sheet = sheetNamed(workbook, "Data");
  const marks: { ref: string; fill: string | undefined; note: string | undefined }[] = [];
  for (let row = 2; row <= sheet.rowCount; row++) {
    sheet.getRow(row).eachCell({ includeEmpty: true }, (cell) => {
      const fill = fillOf(cell);
      const note = noteText(cell);
      if (fill !== undefined || note !== undefined) marks.push({ ref: cell.address, fill, note });
    });
  }
  return marks;
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
  /** Every part of the zip, by path. */
  partNames: string[];
  workbookXml: string;
  sheetNames: string[];
  /** The zip path of a sheet's part (`xl/worksheets/sheet2.xml`). */
  sheetPath(name: string): string;
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
  const sheetPath = (name: string) => {
    const sheet = sheets.find((candidate) => candidate.name === name);
    if (!sheet) throw new Error(`no sheet named ${name}`);
    return sheet.path;
  };
  const sheetXml = (name: string) => part(sheetPath(name));
  return {
    partNames: [...parts.keys()],
    workbookXml: part("xl/workbook.xml"),
    sheetNames: sheets.map((sheet) => sheet.name),
    sheetPath,
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
