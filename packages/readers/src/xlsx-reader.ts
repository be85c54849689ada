/**
 * Reads the rows of an XLSX's chosen sheet (SPEC §3) with exceljs's streaming reader.
 *
 * Flow: yauzl opens the zip's central directory (corrupt, truncated or non-zip files
 * and declared-size bombs fail here, before any parsing); `xl/workbook.xml` and its rels
 * name the sheets and their parts, which fixes the sheet choice whatever order the
 * writer stored the parts in; then exceljs parses a stream holding only the parts it
 * needs, in the order it needs them (see stored-zip-stream.ts for why).
 *
 * Cells: numbers stay numbers, every kind of text (shared, inline, rich, hyperlink
 * display text) becomes a string, booleans and dates (numbers with a date format) keep
 * their type, error cells become their text (`#N/A`), formulas give their cached result
 * and are never evaluated.
 */
import type { Readable } from "node:stream";
import type { CellValue } from "@catalog/core";
import { FatalImportError } from "@catalog/core";
import ExcelJS from "exceljs";
import type { ReadLimits } from "./read-limits";
import type { RowCollector } from "./row-collector";
import { isBlankCell } from "./row-collector";
import { raceAbort, raceFailure } from "./settle-first";
import { type StreamPart, storedZipStream } from "./stored-zip-stream";
import { chooseSheet, locateWorkbookParts } from "./workbook-parts";
import { openZipArchive, type ZipArchive } from "./zip-archive";

/**
 * exceljs's streaming options (checked against its workbook-reader.js, 4.4): styles are
 * cached because date cells are told apart from numbers by their number format;
 * hyperlinks are ignored because the cell already holds the display text.
 */
const READER_OPTIONS = {
  worksheets: "emit",
  sharedStrings: "cache",
  hyperlinks: "ignore",
  styles: "cache",
  entries: "ignore",
} as const;

/** Stands in for a workbook without shared strings (openpyxl writes inline strings). */
const EMPTY_SHARED_STRINGS = Buffer.from(
  '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
);

/** Sheet part names exceljs recognises; another name is handed to it under the first. */
const EXCELJS_SHEET_PATH = /^xl\/worksheets\/sheet\d+\.xml$/;

/** Reads the chosen sheet of the XLSX at `filePath` into `collector`. */
export async function readXlsxRows(
  filePath: string,
  collector: RowCollector,
  limits: ReadLimits,
  signal?: AbortSignal,
): Promise<void> {
  signal?.throwIfAborted();
  const archive = await openZipArchive(filePath, limits.maxUncompressedBytes);
  const input = storedZipStream(await planParts(archive).catch(closing(archive)));
  try {
    await raceAbort(raceFailure(parseSheet(input.stream, collector), input.failed), signal);
  } catch (error) {
    throw signal?.aborted || error instanceof FatalImportError
      ? error
      : new FatalImportError("UNSUPPORTED_FILE", `not a readable XLSX: ${describe(error)}`);
  } finally {
    input.stream.destroy();
    archive.close();
  }
}

/** The parts exceljs needs, workbook parts first and the chosen sheet last. */
async function planParts(archive: ZipArchive): Promise<StreamPart[]> {
  const workbookEntry = archive.entry("xl/workbook.xml");
  const relsEntry = archive.entry("xl/_rels/workbook.xml.rels");
  if (!workbookEntry || !relsEntry) {
    throw new FatalImportError(
      "UNSUPPORTED_FILE",
      "not an XLSX workbook: the zip has no xl/workbook.xml or no xl/_rels/workbook.xml.rels",
    );
  }
  const workbookXml = await archive.readAll(workbookEntry);
  const relsXml = await archive.readAll(relsEntry);
  const layout = locateWorkbookParts(workbookXml.toString("utf8"), relsXml.toString("utf8"));
  const sheet = chooseSheet(layout.sheets);
  if (!sheet) throw new FatalImportError("UNSUPPORTED_FILE", "the workbook has no worksheet");
  const sheetEntry = archive.entry(sheet.path);
  if (!sheetEntry) {
    throw new FatalImportError(
      "UNSUPPORTED_FILE",
      `worksheet "${sheet.name}" (${sheet.path}) is missing from the zip`,
    );
  }
  const entryPart = (name: string, path: string | undefined): StreamPart[] => {
    const entry = path === undefined ? undefined : archive.entry(path);
    return entry ? [{ name, size: entry.uncompressedSize, bytes: archive.inflate(entry) }] : [];
  };
  const sharedStrings = entryPart("xl/sharedStrings.xml", layout.sharedStringsPath);
  return [
    { name: "xl/_rels/workbook.xml.rels", size: relsXml.length, bytes: relsXml },
    { name: "xl/workbook.xml", size: workbookXml.length, bytes: workbookXml },
    ...entryPart("xl/styles.xml", layout.stylesPath),
    ...(sharedStrings.length > 0
      ? sharedStrings
      : [
          {
            name: "xl/sharedStrings.xml",
            size: EMPTY_SHARED_STRINGS.length,
            bytes: EMPTY_SHARED_STRINGS,
          },
        ]),
    {
      name: EXCELJS_SHEET_PATH.test(sheet.path) ? sheet.path : "xl/worksheets/sheet1.xml",
      size: sheetEntry.uncompressedSize,
      bytes: requireClosingTags(archive.inflate(sheetEntry), sheet.path),
    },
  ];
}

const SHEET_DATA_END = /<\/(?:[\w.-]+:)?sheetData\s*>|<(?:[\w.-]+:)?sheetData\s*\/>/;
const WORKSHEET_END = /<\/(?:[\w.-]+:)?worksheet\s*>\s*$/;
/** Enough bytes to hold either closing tag (with a prefix) across a chunk boundary. */
const TAIL_BYTES = 256;

/**
 * Passes the sheet part's bytes through and, at their end, checks that the part
 * closed its `<sheetData>` and its `<worksheet>`. exceljs's streaming parser
 * stops quietly at the end of a part cut short (a truncated upload re-zipped, a
 * writer that crashed): the rows before the cut come out as if they were the
 * whole sheet, and the last one may be partial. A sheet that ends early is
 * UNSUPPORTED_FILE instead.
 */
async function* requireClosingTags(
  bytes: AsyncIterable<Buffer>,
  path: string,
): AsyncGenerator<Buffer> {
  let tail = "";
  let sheetDataClosed = false;
  for await (const chunk of bytes) {
    // latin1 keeps one character per byte: the tags are ASCII, whatever the text around
    // them. Once <sheetData> is closed only the tail matters.
    const text = (sheetDataClosed ? chunk.subarray(-TAIL_BYTES) : chunk).toString("latin1");
    const window = tail + text;
    // `includes` first: the regex would try every `<` of the chunk.
    if (!sheetDataClosed && window.includes("sheetData") && SHEET_DATA_END.test(window)) {
      sheetDataClosed = true;
    }
    tail = window.slice(-TAIL_BYTES);
    yield chunk;
  }
  if (!sheetDataClosed || !WORKSHEET_END.test(tail)) {
    throw new FatalImportError(
      "UNSUPPORTED_FILE",
      `the worksheet ${path} ends before its closing tags (the file is truncated)`,
    );
  }
}

/** Feeds exceljs the planned stream and collects the one sheet in it. */
async function parseSheet(input: Readable, collector: RowCollector): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, READER_OPTIONS);
  let sheets = 0;
  for await (const worksheet of workbook) {
    sheets++;
    let previous = 0;
    for await (const row of worksheet) {
      // `r` is optional in the format; a row without it follows the previous one.
      const number =
        Number.isInteger(row.number) && row.number > previous ? row.number : previous + 1;
      previous = number;
      collector.add(number, rowCells(row, number, collector));
    }
  }
  if (sheets !== 1) throw new Error(`expected one worksheet in the stream, parsed ${sheets}`);
}

function rowCells(row: ExcelJS.Row, number: number, collector: RowCollector): CellValue[] {
  const cells: CellValue[] = [];
  row.eachCell((cell, column) => {
    const value = toCellValue(cell.value);
    if (isBlankCell(value)) return;
    // Checked before the array grows, so a value in column 16,384 allocates nothing.
    collector.assertColumn(number, column);
    while (cells.length < column - 1) cells.push(null);
    cells[column - 1] = value;
  });
  return cells;
}

/** One exceljs cell value as a {@link CellValue}. */
export function toCellValue(value: ExcelJS.CellValue | undefined): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string") return ownCopy(value);
  if (typeof value === "boolean") return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if ("richText" in value) return value.richText.map((run) => run.text ?? "").join("");
  if ("error" in value) return value.error;
  // A formula's cached result. exceljs's streaming reader parses a cached error as
  // NaN, losing its text: it comes back null, like a formula never calculated.
  if ("formula" in value || "sharedFormula" in value) return toCellValue(value.result);
  if ("text" in value) return toCellValue(value.text);
  return null;
}

/** V8 cuts substrings of 13 or more UTF-16 units as views of the string they came from. */
const SLICED_STRING_MIN_LENGTH = 13;

/**
 * `text` in a string of its own. exceljs cuts cell text out of the XML it parsed,
 * and V8 keeps such a substring as a view that holds the whole parent alive: every
 * row kept would keep its chunk of sheet XML (about 1.8 KB per row of a typical
 * sheet). Concatenating, then slicing the flattened result, copies just the text.
 */
function ownCopy(text: string): string {
  return text.length < SLICED_STRING_MIN_LENGTH ? text : ` ${text}`.slice(1);
}

function closing(archive: ZipArchive) {
  return (error: unknown): never => {
    archive.close();
    throw error;
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
