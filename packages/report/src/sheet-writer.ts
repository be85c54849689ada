/**
 * One report sheet on exceljs's streaming writer: a bold, frozen header row with an
 * autofilter and fixed column widths, then rows written as they are added so that the
 * sheet never sits in memory.
 *
 * exceljs writes the sheet's head and tail and everything around it; the rows are
 * written here as SpreadsheetML (sheet-xml.ts) straight into the sheet's stream:
 * exceljs's row and cell objects (a model, a style merge and an XML builder per cell)
 * made up most of the report's time and garbage. A cell may carry a style of its own,
 * a note (cell-notes.ts) and a link to another sheet's cell (an in-workbook
 * `<hyperlink location="Data!H7">`, no formula and no relationship).
 *
 * Widths come from the column definitions, never from measuring every cell: that would
 * mean holding or scanning every row first.
 */
import type { EventEmitter } from "node:events";
import type ExcelJS from "exceljs";
import { type CellNotes, type NoteFormat, type NoteSource, openCellNotes } from "./cell-notes";
import { IntList } from "./int-list";
import {
  PartEncoder,
  type StreamingSheet,
  type StreamingWorkbook,
  streamingParts,
} from "./exceljs-internals";
import {
  type CellFormat,
  cellXml,
  columnLetters,
  ROW_CLOSE,
  type ReportCellValue,
  rowOpen,
  xmlText,
} from "./sheet-xml";

export type { ReportCellValue } from "./sheet-xml";

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

/** What a cell carries besides its value. */
export interface CellExtra {
  /** A style of its own (a shared, frozen object: see {@link fontWith}). */
  style?: Partial<ExcelJS.Style>;
  /**
   * A note: its text, or (with a sheet opened with a note format) what that format
   * makes a text of when the notes are written, after the sheet: so that thousands of
   * notes are held as references to what they say, not as text.
   */
  note?: NoteSource;
  /** A link to another sheet's cell. */
  link?: CellLink;
}

/** A cell of a sheet of the report, to link to. */
export interface CellLink {
  /** The sheet's name (a report sheet's plain name, no quoting needed). */
  sheet: string;
  /** 1-based row. */
  row: number;
  /** 0-based column. */
  column: number;
}

/** How a row is written besides its values. */
export interface RowOptions {
  /** The style of every cell of the row, unless the cell has its own. */
  style?: Partial<ExcelJS.Style>;
  /** Cells with something more, by position (0-based). */
  cells?: ReadonlyMap<number, CellExtra>;
  /** Row height in points (for wrapped text). */
  height?: number;
  /** Merges the cells from this position (0-based) to the sheet's last column. */
  mergeFrom?: number;
}

/** Adds rows to an open sheet. */
export interface SheetWriter {
  /** Adds a row after the last one. */
  add(values: readonly ReportCellValue[], options?: RowOptions): Promise<void>;
  /** Rows written so far, the header included: the number of the last one. */
  readonly rowCount: number;
  /** Sets the autofilter over the written range, commits the sheet and writes its notes. */
  close(): Promise<void>;
}

/** Rows written between two calls to `pace` (up to ~100 KB of sheet XML). */
const PACE_EVERY_ROWS = 100;

/**
 * Characters of row XML held before they are written: small enough that the string
 * stays in V8's young generation (a string over ~128 KB lives in the large-object
 * space until a full collection, which a report's steady garbage rarely triggers).
 */
const FLUSH_CHARS = 32 * 1024;

/**
 * Text that exceljs's readers (ours included) would not read back as written. They
 * decode XML entities in inline cells (t="str", t="inlineStr") a second time
 * (`utils.xmlDecode`, which replaces exactly this pattern), so the text `R&amp;D`,
 * correctly escaped as `R&amp;amp;D`, would come back as `R&D`. Shared strings (t="s")
 * are decoded once, so such a text is written through the shared-strings table.
 * Everything else is written inline: the table would hold every distinct string of the
 * report until the end (tens of MB and a third more time in the bench).
 */
const DOUBLE_DECODED = /&[a-z]*;/;

/** Frozen, so that nothing can change a style for all the cells that share it. */
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
  /** The sheet has cell notes (see cell-notes.ts), made of their sources by this format. */
  notes?: NoteFormat;
}

/** Adds sheet `name` after the previous ones and writes its header row. */
export async function openSheet(
  context: WriteContext,
  name: string,
  columns: readonly SheetColumn[],
  options: SheetOptions = {},
): Promise<SheetWriter> {
  const hasHeader = columns.length > 0 && options.header !== false;
  const exceljsSheet = context.workbook.addWorksheet(name, {
    views: hasHeader ? [{ state: "frozen", ySplit: 1 }] : [],
    ...(options.pageSetup ? { pageSetup: options.pageSetup } : {}),
  });
  // Before the first row: <cols> is written ahead of the data.
  if (columns.length > 0) exceljsSheet.columns = columns.map(({ width }) => ({ width }));
  const { workbook, sheet } = streamingParts(context.workbook, exceljsSheet);
  const notes = options.notes ? openCellNotes(workbook, sheet, options.notes) : undefined;
  const rows = new RowWriter(workbook, sheet, columns.length, notes);

  const add = async (values: readonly ReportCellValue[], rowOptions?: RowOptions) => {
    rows.add(values, rowOptions);
    if (rows.pendingChars >= FLUSH_CHARS) rows.flush();
    if (rows.count % PACE_EVERY_ROWS === 0) {
      rows.flush();
      await context.pace(zipEntryOf(sheet.stream));
    }
  };
  if (hasHeader) {
    await add(
      columns.map((column) => column.header),
      { style: HEADER_STYLE },
    );
  }

  return {
    add,
    get rowCount() {
      return rows.count;
    },
    async close() {
      rows.flush();
      if (hasHeader) {
        exceljsSheet.autoFilter = {
          from: { row: 1, column: 1 },
          to: { row: rows.count, column: columns.length },
        };
      }
      notes?.beforeCommit();
      sheet.commit();
      await notes?.afterCommit((part) => context.pace(zipEntryOf(part)));
    },
  };
}

/** Writes a sheet's rows as XML into its stream, a batch at a time. */
class RowWriter {
  count = 0;
  private pending = "";
  private readonly styleIds = new WeakMap<object, number>();
  private readonly letters: string[] = [];
  private readonly encoder = new PartEncoder();
  readonly links: SheetLinks;

  constructor(
    private readonly workbook: StreamingWorkbook,
    private readonly sheet: StreamingSheet,
    private readonly width: number,
    private readonly notes: CellNotes | undefined,
  ) {
    this.links = new SheetLinks(sheet, (column) => this.letter(column));
  }

  add(values: readonly ReportCellValue[], options: RowOptions = {}): void {
    const row = ++this.count;
    const rowStyle = options.style ?? PLAIN_STYLE;
    let cells = "";
    for (let column = 0; column < values.length; column++) {
      const value = values[column] ?? null;
      const extra = options.cells?.get(column);
      const ref = `${this.letter(column)}${row}`;
      const format: CellFormat = { styleId: this.styleId(extra?.style ?? rowStyle) };
      if (typeof value === "string" && DOUBLE_DECODED.test(value)) {
        format.sharedString = this.workbook.sharedStrings.add(value);
      }
      cells += cellXml(ref, value, format);
      if (extra?.note !== undefined) this.note(ref, row, column, extra.note);
      if (extra?.link !== undefined) this.links.add(row, column, extra.link);
    }
    // Like exceljs, a row with nothing in it is left out (its number still counts).
    if (cells !== "" || options.height) {
      this.pending += rowOpen(row, values.length, options.height) + cells + ROW_CLOSE;
    }
    if (options.mergeFrom !== undefined && options.mergeFrom < this.width - 1) {
      const range = `${this.letter(options.mergeFrom)}${row}:${this.letter(this.width - 1)}${row}`;
      this.sheet._merges.push({ toString: () => range });
    }
  }

  get pendingChars(): number {
    return this.pending.length;
  }

  /** Writes the rows added since the last flush. */
  flush(): void {
    if (this.pending === "") return;
    if (!this.sheet.startedData) {
      // What exceljs does before its first row.
      this.sheet._writeColumns();
      this.sheet._writeOpenSheetData();
      this.sheet.startedData = true;
    }
    this.encoder.write(this.sheet.stream, this.pending);
    this.pending = "";
  }

  private note(ref: string, row: number, column: number, text: NoteSource): void {
    if (!this.notes) throw new Error(`A note on ${ref} of a sheet opened without notes`);
    this.notes.add(row, column, text);
  }

  private letter(column: number): string {
    let letters = this.letters[column];
    if (letters === undefined) {
      letters = columnLetters(column);
      this.letters[column] = letters;
    }
    return letters;
  }

  /** The workbook's id of `style`: registered once per (shared) object. */
  private styleId(style: Partial<ExcelJS.Style>): number {
    let id = this.styleIds.get(style);
    if (id === undefined) {
      id = this.workbook.styles.addStyleModel(style);
      this.styleIds.set(style, id);
    }
    return id;
  }
}

/**
 * A sheet's links to cells of other sheets, kept as numbers and written as the sheet's
 * `<hyperlinks>` when it is committed, in place of exceljs's own list of
 * `{address, target}` objects (see exceljs-internals.ts).
 */
class SheetLinks {
  private readonly rows = new IntList();
  private readonly columns = new IntList();
  private readonly targetRows = new IntList();
  private readonly targetColumns = new IntList();
  private targetSheet: string | undefined;

  constructor(sheet: StreamingSheet, letter: (column: number) => string) {
    sheet._writeHyperlinks = () => {
      if (this.rows.length === 0) return;
      const target = xmlText(this.targetSheet ?? "");
      let xml = "<hyperlinks>";
      for (let index = 0; index < this.rows.length; index++) {
        const ref = `${letter(this.columns.at(index))}${this.rows.at(index)}`;
        const location = `${target}!${letter(this.targetColumns.at(index))}${this.targetRows.at(index)}`;
        xml += `<hyperlink ref="${ref}" location="${location}"/>`;
        if (xml.length >= FLUSH_CHARS) {
          sheet.stream.write(xml);
          xml = "";
        }
      }
      sheet.stream.write(`${xml}</hyperlinks>`);
    };
  }

  add(row: number, column: number, link: CellLink): void {
    this.targetSheet ??= link.sheet;
    if (link.sheet !== this.targetSheet) throw new Error("A sheet's links go to one other sheet");
    if (
      !Number.isInteger(link.row) ||
      link.row < 1 ||
      !Number.isInteger(link.column) ||
      link.column < 0
    ) {
      throw new Error(`No cell at row ${link.row}, column ${link.column}`);
    }
    this.rows.push(row);
    this.columns.push(column);
    this.targetRows.push(link.row);
    this.targetColumns.push(link.column);
  }
}

/**
 * The {@link ZipEntryStream} that a part's StreamBuf (a sheet's, or one of
 * cell-notes.ts) feeds, to wait on its drain. Not in exceljs's typings: StreamBuf
 * ignores backpressure; being no Node Readable, the archiver pipes it into a
 * PassThrough as soon as the entry is added, and StreamBuf lists that in `pipes`.
 * Should a later exceljs or archiver differ, this finds nothing and pacing falls back
 * to yielding only.
 */
function zipEntryOf(source: unknown): ZipEntryStream | undefined {
  const entry = (source as { pipes?: unknown[] } | undefined)?.pipes?.[0] as
    | Partial<ZipEntryStream>
    | undefined;
  const hasState = typeof entry?._writableState?.needDrain === "boolean";
  return hasState && typeof entry?.once === "function" ? (entry as ZipEntryStream) : undefined;
}
