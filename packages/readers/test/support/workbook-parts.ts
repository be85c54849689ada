/**
 * Minimal hand-made workbook parts for the XLSX tests, so that a test controls what
 * exceljs's writer does not: the order of the zip's entries, part names, absolute
 * relationship targets, inline strings and deliberately broken content.
 */
import type { ZipEntrySpec } from "./zip-file";

/** A sheet to put in a workbook: its tab name and `<sheetData>` content. */
export interface SheetSpec {
  name: string;
  sheetData: string;
  /** Its part path (default `xl/worksheets/sheet<n>.xml`). */
  path?: string;
}

const MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships";

/** The parts of a workbook holding `sheets` in tab order (plus shared strings when given). */
export function workbookParts(
  sheets: readonly SheetSpec[],
  options: { sharedStrings?: readonly string[]; absoluteTargets?: boolean } = {},
): ZipEntrySpec[] {
  const paths = sheets.map((sheet, index) => sheet.path ?? `xl/worksheets/sheet${index + 1}.xml`);
  const target = (path: string) =>
    options.absoluteTargets ? `/${path}` : path.slice("xl/".length);
  const rels = paths.map(
    (path, index) =>
      `<Relationship Id="rId${index + 1}" Type="${REL}/worksheet" Target="${target(path)}"/>`,
  );
  if (options.sharedStrings) {
    rels.push(
      `<Relationship Id="rIdS" Type="${REL}/sharedStrings" Target="${target("xl/sharedStrings.xml")}"/>`,
    );
  }
  const sheetTags = sheets.map(
    (sheet, index) =>
      `<sheet name="${escapeXml(sheet.name)}" sheetId="${index + 1}" r:id="rId${index + 1}"/>`,
  );
  const parts: ZipEntrySpec[] = [
    text("[Content_Types].xml", contentTypes(paths, Boolean(options.sharedStrings))),
    text(
      "_rels/.rels",
      `<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    text(
      "xl/workbook.xml",
      `<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets>${sheetTags.join("")}</sheets></workbook>`,
    ),
    text(
      "xl/_rels/workbook.xml.rels",
      `<Relationships xmlns="${PKG_REL}">${rels.join("")}</Relationships>`,
    ),
    ...sheets.map((sheet, index) =>
      text(
        paths[index] as string,
        `<worksheet xmlns="${MAIN}"><sheetData>${sheet.sheetData}</sheetData></worksheet>`,
      ),
    ),
  ];
  if (options.sharedStrings) {
    const items = options.sharedStrings.map((value) => `<si><t>${escapeXml(value)}</t></si>`);
    parts.push(text("xl/sharedStrings.xml", `<sst xmlns="${MAIN}">${items.join("")}</sst>`));
  }
  return parts;
}

/** `parts` reordered so that the named ones come in this order (the rest keep theirs, after). */
export function inOrder(parts: readonly ZipEntrySpec[], names: readonly string[]): ZipEntrySpec[] {
  const named = names.map((name) => {
    const part = parts.find((candidate) => candidate.name === name);
    if (!part) throw new Error(`no part ${name}`);
    return part;
  });
  return [...named, ...parts.filter((part) => !names.includes(part.name))];
}

/** A `<row>` of inline-string cells (numbers as numeric cells, `null` skipped). */
export function inlineRow(row: number, values: readonly (string | number | null)[]): string {
  const cells = values.map((value, index) => {
    const ref = `${columnName(index + 1)}${row}`;
    if (value === null) return "";
    if (typeof value === "number") return `<c r="${ref}"><v>${value}</v></c>`;
    return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${escapeXml(value)}</t></is></c>`;
  });
  return `<row r="${row}">${cells.join("")}</row>`;
}

/** A column's letters: 1 → A, 27 → AA. */
export function columnName(column: number): string {
  let name = "";
  for (let rest = column; rest > 0; rest = Math.floor((rest - 1) / 26)) {
    name = String.fromCharCode(65 + ((rest - 1) % 26)) + name;
  }
  return name;
}

function contentTypes(sheetPaths: readonly string[], sharedStrings: boolean): string {
  const ct = "application/vnd.openxmlformats-officedocument.spreadsheetml";
  const overrides = [
    `<Override PartName="/xl/workbook.xml" ContentType="${ct}.sheet.main+xml"/>`,
    ...sheetPaths.map(
      (path) => `<Override PartName="/${path}" ContentType="${ct}.worksheet+xml"/>`,
    ),
    ...(sharedStrings
      ? [`<Override PartName="/xl/sharedStrings.xml" ContentType="${ct}.sharedStrings+xml"/>`]
      : []),
  ];
  return `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>${overrides.join("")}</Types>`;
}

function text(name: string, content: string): ZipEntrySpec {
  return {
    name,
    data: Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${content}`),
  };
}

function escapeXml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
