/**
 * Cell notes (Excel's "notes", formerly comments) on a streaming sheet, written after
 * the sheet at the cost of a string each, with memory that does not grow with them.
 *
 * exceljs 4.4 can note a cell (`cell.note = text`), but a sheet with thousands of
 * marked cells pays for it: each note's model is deep-merged with the defaults when its
 * row is serialized and rendered through four XML builders; and since a zip entry is
 * read only once the ones before it are done, the notes' parts (comments and the VML
 * drawing that places their boxes), written while the sheet's own entry is still open,
 * wait in memory until the sheet ends: about 1 KB per note.
 *
 * So the notes are kept as (row, column, text) while the rows are written. Before the
 * sheet is committed, its comments writer ties the two parts to the sheet as it does
 * for its own notes: the sheet's relationships, the workbook's content types, and
 * `hasComments`, which makes the commit write the sheet's `<legacyDrawing>`; it writes
 * no part itself, having no note of its own. After the commit, both parts are written
 * under the names it gave them, one after the other, paced on the zip like the sheets,
 * with the markup exceljs writes for a note (the box sized to its text). The internals
 * this takes are checked in exceljs-internals.ts.
 */
import {
  PartEncoder,
  type PartStream,
  type StreamingSheet,
  type StreamingWorkbook,
} from "./exceljs-internals";
import { IntList } from "./int-list";
import { columnLetters, xmlText } from "./sheet-xml";

/** A note's text, or an object the sheet's {@link NoteFormat} makes one of. */
export type NoteSource = string | object;

/** Makes a note's text of its source, when the notes are written. */
export type NoteFormat = (source: object) => string;

/** Notes cells of one sheet. */
export interface CellNotes {
  /** Notes the cell at `row` (1-based) and `column` (0-based) with `source`. */
  add(row: number, column: number, source: NoteSource): void;
  /** Just before the sheet is committed. */
  beforeCommit(): void;
  /**
   * Once the sheet is committed: writes the notes' parts, waiting on `pace` (given a
   * part's stream) between chunks.
   */
  afterCommit(pace: (part: PartStream) => Promise<void>): Promise<void>;
}

/** Characters written to a part at a time, between two waits on the zip (see sheet-writer.ts for the size). */
const CHUNK_CHARS = 32 * 1024;

/** Note box: columns wide, and rows tall per this many characters (3 to 14 rows). */
const BOX_COLUMNS = 3;
const CHARS_PER_BOX_ROW = 30;
const MAX_BOX_ROWS = 14;

const COMMENTS_OPEN =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
  "<authors><author>Author</author></authors><commentList>";
const COMMENTS_CLOSE = "</commentList></comments>";
const VML_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<xml xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:x="urn:schemas-microsoft-com:office:excel">' +
  '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1" /></o:shapelayout>' +
  '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">' +
  '<v:stroke joinstyle="miter" /><v:path gradientshapeok="t" o:connecttype="rect" /></v:shapetype>';
const VML_CLOSE = "</xml>";

/** Opens notes on `sheet`. */
export function openCellNotes(
  workbook: StreamingWorkbook,
  sheet: StreamingSheet,
  format: NoteFormat,
): CellNotes {
  const parts = sheet._sheetCommentsWriter;
  const rows = new IntList();
  const columns = new IntList();
  const sources: NoteSource[] = [];
  const textOf = (source: NoteSource | undefined) =>
    typeof source === "string" ? source : source === undefined ? "" : format(source);
  return {
    add(row, column, source) {
      rows.push(row);
      columns.push(column);
      sources.push(source);
    },
    beforeCommit() {
      if (sources.length === 0) return;
      parts._addRelationships();
      parts._addCommentRefs();
      sheet.hasComments = true;
    },
    async afterCommit(pace) {
      if (sources.length === 0) return;
      const items = (
        render: (row: number, column: number, text: string, index: number) => string,
      ) => ({
        count: sources.length,
        item: (index: number) =>
          render(rows.at(index), columns.at(index), textOf(sources[index]), index),
      });
      const comments = workbook._openStream(`/xl/comments${parts.id}.xml`);
      await writePart(comments, pace, COMMENTS_OPEN, COMMENTS_CLOSE, items(commentXml));
      const drawing = workbook._openStream(`xl/drawings/vmlDrawing${parts.id}.vml`);
      await writePart(drawing, pace, VML_OPEN, VML_CLOSE, items(vmlShapeXml));
    },
  };
}

/** Writes a part: its opening, each item, its closing, in chunks; then ends it. */
async function writePart(
  stream: PartStream,
  pace: (part: PartStream) => Promise<void>,
  open: string,
  close: string,
  items: { count: number; item: (index: number) => string },
): Promise<void> {
  const encoder = new PartEncoder();
  let chunk = open;
  for (let index = 0; index < items.count; index++) {
    chunk += items.item(index);
    if (chunk.length < CHUNK_CHARS) continue;
    encoder.write(stream, chunk);
    chunk = "";
    await pace(stream);
  }
  encoder.write(stream, chunk + close);
  stream.end();
}

/** A note in the comments part (as exceljs's CommentXform writes one). */
function commentXml(row: number, column: number, text: string): string {
  return `<comment ref="${columnLetters(column)}${row}" authorId="0"><text><r><t xml:space="preserve">${xmlText(text)}</t></r></text></comment>`;
}

/**
 * A note's box in the VML drawing, hidden until the cell is pointed at, anchored beside
 * the cell and tall enough for its text: the shape openpyxl writes for a note (what
 * Excel needs of one, and a third shorter than exceljs's), with an anchor.
 */
function vmlShapeXml(row: number, column: number, text: string, index: number): string {
  const height = Math.min(
    MAX_BOX_ROWS,
    Math.max(3, Math.ceil(text.length / CHARS_PER_BOX_ROW) + 1),
  );
  const top = Math.max(row - 2, 0);
  const anchor = `${column + 1}, 6, ${top}, 14, ${column + 1 + BOX_COLUMNS}, 2, ${top + height}, 16`;
  return (
    `<v:shape id="_x0000_s${1025 + index}" type="#_x0000_t202" style="position:absolute;margin-left:105.3pt;margin-top:10.5pt;width:180pt;height:${height * 15}pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">` +
    '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>' +
    '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>' +
    `<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>${anchor}</x:Anchor>` +
    `<x:AutoFill>False</x:AutoFill><x:Row>${row - 1}</x:Row><x:Column>${column}</x:Column></x:ClientData></v:shape>`
  );
}
