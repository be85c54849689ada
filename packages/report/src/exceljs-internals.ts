/**
 * The parts of exceljs 4.4's streaming writer that are not in its typings and that the
 * report relies on, checked in one place. exceljs writes the workbook around the
 * sheets (zip, parts, relationships, content types, styles, shared strings, the sheet's
 * head and tail); the report writes the rows of a sheet itself (sheet-writer.ts), and
 * its notes (cell-notes.ts) and in-workbook links. Should a later exceljs differ, this
 * throws when a sheet is opened, so a test fails instead of a report coming out wrong.
 *
 * Where each comes from (lib/stream/xlsx/): worksheet-writer.js (`stream`, the sheet's
 * StreamBuf, created on first use; `_writeColumns` and `_writeOpenSheetData`, which it
 * calls before its first row, guarded by `startedData`; `_merges`, written at commit as
 * `<mergeCell ref="${merge}"/>`; `_writeHyperlinks`, called by the commit between the
 * merges and the page setup, where `<hyperlinks>` belongs; `hasComments`, which makes
 * the commit write the `<legacyDrawing>`), sheet-comments-writer.js (`id`,
 * `_addRelationships`, `_addCommentRefs`), workbook-writer.js (`_openStream`,
 * `styles.addStyleModel`, `sharedStrings.add`).
 */
import type ExcelJS from "exceljs";

/** exceljs's StreamBuf: a zip entry's source. */
export interface PartStream {
  write(data: string | Buffer): unknown;
  end(): unknown;
}

/** A sheet of the streaming writer, as the report uses it. */
export interface StreamingSheet {
  readonly stream: PartStream;
  startedData: boolean;
  hasComments: boolean;
  _writeColumns(): void;
  _writeOpenSheetData(): void;
  _merges: { toString(): string }[];
  /** Writes the sheet's `<hyperlinks>` during its commit (replaced by the report's own). */
  _writeHyperlinks(): void;
  _sheetCommentsWriter: {
    id: number;
    _addRelationships(): void;
    _addCommentRefs(): void;
  };
  commit(): void;
}

/** The streaming workbook, as the report uses it. */
export interface StreamingWorkbook {
  _openStream(path: string): PartStream;
  styles: { addStyleModel(style: Partial<ExcelJS.Style>): number };
  sharedStrings: { add(text: string): number };
}

/** `sheet` and its workbook with their internals checked. */
export function streamingParts(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  sheet: ExcelJS.Worksheet,
): { workbook: StreamingWorkbook; sheet: StreamingSheet } {
  const s = sheet as unknown as Partial<StreamingSheet>;
  const w = workbook as unknown as Partial<StreamingWorkbook>;
  const missing = [
    typeof s._writeColumns !== "function" && "sheet._writeColumns",
    typeof s._writeOpenSheetData !== "function" && "sheet._writeOpenSheetData",
    typeof s.startedData !== "boolean" && "sheet.startedData",
    typeof s.hasComments !== "boolean" && "sheet.hasComments",
    !Array.isArray(s._merges) && "sheet._merges",
    typeof s._writeHyperlinks !== "function" && "sheet._writeHyperlinks",
    typeof s._sheetCommentsWriter?.id !== "number" && "sheet._sheetCommentsWriter.id",
    typeof s._sheetCommentsWriter?._addRelationships !== "function" &&
      "sheet._sheetCommentsWriter._addRelationships",
    typeof s._sheetCommentsWriter?._addCommentRefs !== "function" &&
      "sheet._sheetCommentsWriter._addCommentRefs",
    typeof w._openStream !== "function" && "workbook._openStream",
    typeof w.styles?.addStyleModel !== "function" && "workbook.styles.addStyleModel",
    typeof w.sharedStrings?.add !== "function" && "workbook.sharedStrings.add",
  ].filter((name): name is string => typeof name === "string");
  if (missing.length > 0) {
    throw new Error(
      `exceljs's streaming writer is not the one the report was written for (missing: ${missing.join(", ")})`,
    );
  }
  return { workbook: w as StreamingWorkbook, sheet: s as StreamingSheet };
}

/**
 * Writes `text` to a part's StreamBuf, encoded in a buffer that is reused from one call
 * to the next: StreamBuf copies what it is given into buffers of its own before
 * `write` returns (when its entry is piped, or it is paused), so the encoding of each
 * batch of rows need not be a new allocation waiting for the garbage collector.
 */
export class PartEncoder {
  private buffer = Buffer.allocUnsafe(256 * 1024);

  write(stream: PartStream, text: string): void {
    const copies =
      (stream as { pipes?: unknown[] }).pipes?.length || (stream as { paused?: boolean }).paused;
    if (!copies) {
      stream.write(text);
      return;
    }
    const size = Buffer.byteLength(text);
    if (size > this.buffer.length) this.buffer = Buffer.allocUnsafe(Math.ceil(size * 1.25));
    const written = this.buffer.write(text);
    stream.write(this.buffer.subarray(0, written));
  }
}
