/**
 * One report sheet on exceljs's streaming writer: a bold, frozen header row with an
 * autofilter and fixed column widths, then rows committed as they are added so that
 * the sheet never sits in memory.
 *
 * Widths come from the column definitions, never from measuring every cell: that would
 * mean holding or scanning every row first.
 */
import type { EventEmitter } from "node:events";
import type ExcelJS from "exceljs";
import { keepInternalLinks } from "./internal-links";

/** A link to a place in the workbook (made by {@link internalLink} only, never from user data). */
export interface ReportLink {
  text: string;
  hyperlink: string;
}

/** A value the report writes into a cell (user text goes through cell-text.ts first). */
export type ReportCellValue = string | number | boolean | ReportLink | null;

/** One column of a sheet: its header text and width in characters. */
export interface SheetColumn {
  header: string;
  width: number;
}

/**
 * The stream a sheet's XML goes into on its way to the zip: a PassThrough of the
 * archiver's own readable-stream 2 copy, so it is told by shape, not by class, and its
 * backlog is read from its writable state (that version has no `writableNeedDrain`).
 */
export interface ZipEntryStream extends EventEmitter {
  _writableState: { needDrain: boolean };
}

/** What every sheet writer shares: the workbook and the pacing of the output. */
export interface WriteContext {
  workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  /**
   * Waits while the sheet's zip entry (when known) or the output is behind, and gives
   * the event loop a turn; rejects once the output has failed.
   */
  pace(zipEntry: ZipEntryStream | undefined): Promise<void>;
}

/** Adds rows to an open sheet. */
export interface SheetWriter {
  /**
   * Adds and commits a row; `mark` may style its cells before the commit by giving
   * them a style object of their own (`cell.style = ...`), never by changing one.
   */
  add(values: readonly ReportCellValue[], mark?: (row: ExcelJS.Row) => void): Promise<void>;
  /** Rows written so far, the header included: the number of the last one. */
  readonly rowCount: number;
  /**
   * Whether links to a location (see internal-links.ts) are written as in-workbook
   * links; when false, link with a `#` target instead. Always false without `links`.
   */
  readonly internalLinks: boolean;
  /** Sets the autofilter over the written range and commits the sheet. */
  close(): void;
}

/** Rows written between two calls to `pace` (up to ~100 KB of sheet XML). */
const PACE_EVERY_ROWS = 100;

/**
 * Text that exceljs's readers (ours included) would not read back as written. They
 * decode XML entities in inline cells (t="str", t="inlineStr") a second time
 * (`utils.xmlDecode`, which replaces exactly this pattern), so the text `R&amp;D`,
 * correctly escaped as `R&amp;amp;D`, would come back as `R&D`. Shared strings (t="s")
 * are decoded once, so a row holding such text is written through the shared-strings
 * table; exceljs reads its worksheet's `useSharedStrings` as each row is written
 * ("it's even possible to switch it mid-sheet", workbook-writer.js).
 */
const DOUBLE_DECODED = /&[a-z]*;/;

/**
 * The style objects every cell shares. exceljs gives each new cell its own `{}` style,
 * and its style registry recognises a style it has seen by object identity only
 * (a WeakMap), so with fresh objects it re-serializes a style for every cell: about a
 * fifth of the bench's CPU time. Frozen, so that nothing can change them for all cells
 * at once (a cell styled differently gets its own object instead).
 */
const PLAIN_STYLE: Partial<ExcelJS.Style> = Object.freeze({});
const HEADER_STYLE: Partial<ExcelJS.Style> = Object.freeze({ font: fontWith({ bold: true }) });

/**
 * The workbook's default font (exceljs's: Calibri 11) with `changes`. A style's font
 * replaces the default as a whole: one that only says "bold" has no face or size, and
 * LibreOffice then falls back to a serif face of its own.
 */
export function fontWith(changes: Partial<ExcelJS.Font>): Partial<ExcelJS.Font> {
  return Object.freeze({ name: "Calibri", family: 2, size: 11, ...changes });
}

/** Column width bounds when derived from a header (Data sheet). */
const MIN_WIDTH = 10;
const MAX_WIDTH = 40;

/** A width for a header of unknown content: its length plus a margin, within bounds. */
export function widthForHeader(header: string): number {
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, header.length + 4));
}

/** How a sheet is laid out besides its columns. */
export interface SheetOptions {
  /**
   * Whether the columns' headers make a bold, frozen first row with an autofilter
   * (a table); without, the sheet is free-form (the Summary). Default true.
   */
  header?: boolean;
  /** Page setup for printing, e.g. `{ fitToPage: true, fitToWidth: 1, fitToHeight: 0 }`. */
  pageSetup?: Partial<ExcelJS.PageSetup>;
  /** The sheet links to cells of other sheets (see internal-links.ts). */
  links?: boolean;
}

/** Adds sheet `name` after the previous ones and writes its header row. */
export async function openSheet(
  context: WriteContext,
  name: string,
  columns: readonly SheetColumn[],
  options: SheetOptions = {},
): Promise<SheetWriter> {
  const hasHeader = columns.length > 0 && options.header !== false;
  const sheet = context.workbook.addWorksheet(name, {
    views: hasHeader ? [{ state: "frozen", ySplit: 1 }] : [],
    ...(options.pageSetup ? { pageSetup: options.pageSetup } : {}),
  });
  // Must be set before the first row: the streaming writer emits <cols> ahead of the data.
  if (columns.length > 0) sheet.columns = columns.map((column) => ({ width: column.width }));

  const internalLinks = options.links === true && keepInternalLinks(sheet);
  // Not in exceljs's typings: the streaming worksheet's own switch (see DOUBLE_DECODED).
  const switchable = sheet as unknown as { useSharedStrings: boolean };
  let rowCount = 0;
  const add = async (
    values: readonly ReportCellValue[],
    mark?: (row: ExcelJS.Row) => void,
    style = PLAIN_STYLE,
  ): Promise<void> => {
    const row = sheet.addRow([...values]);
    for (let column = 1; column <= values.length; column++) row.getCell(column).style = style;
    mark?.(row);
    switchable.useSharedStrings = values.some(
      (value) => typeof value === "string" && DOUBLE_DECODED.test(value),
    );
    row.commit();
    rowCount++;
    if (rowCount % PACE_EVERY_ROWS === 0) await context.pace(zipEntryOf(sheet));
  };

  if (hasHeader) {
    await add(
      columns.map((column) => column.header),
      undefined,
      HEADER_STYLE,
    );
  }

  return {
    add,
    get rowCount() {
      return rowCount;
    },
    internalLinks,
    close() {
      if (hasHeader) {
        sheet.autoFilter = {
          from: { row: 1, column: 1 },
          to: { row: rowCount, column: columns.length },
        };
      }
      sheet.commit();
    },
  };
}

/**
 * The sheet's {@link ZipEntryStream}, to wait on its drain. Not in exceljs's typings:
 * the streaming worksheet's `stream` is exceljs's StreamBuf, which ignores backpressure;
 * being no Node Readable, the archiver pipes it into a PassThrough as soon as the entry
 * is added, and StreamBuf lists that in `pipes`. Should a later exceljs or archiver
 * differ, this finds nothing and pacing falls back to yielding only.
 */
function zipEntryOf(sheet: ExcelJS.Worksheet): ZipEntryStream | undefined {
  const { stream } = sheet as unknown as { stream?: { pipes?: unknown[] } };
  const entry = stream?.pipes?.[0] as Partial<ZipEntryStream> | undefined;
  const hasState = typeof entry?._writableState?.needDrain === "boolean";
  return hasState && typeof entry?.once === "function" ? (entry as ZipEntryStream) : undefined;
}
