/**
 * Finds a workbook's sheets and parts from `xl/workbook.xml` and
 * `xl/_rels/workbook.xml.rels`, and picks the sheet to import (SPEC §3: the sheet named
 * `Data` if there is one, else the first sheet).
 *
 * This is done before any sheet is parsed, from the zip's central directory, because
 * writers store parts in different orders (openpyxl puts workbook.xml after the sheets,
 * LibreOffice the shared strings after them): a streaming parser alone would meet a
 * sheet before knowing its name. Both parts are small and flat, so they are read with
 * a tolerant tag scanner rather than a full XML parser.
 */
import { posix } from "node:path";

/** A worksheet in workbook order: its tab name and its part's path in the zip. */
export interface SheetPart {
  name: string;
  path: string;
}

/** Where a workbook's parts live. */
export interface WorkbookLayout {
  /** Worksheets in workbook (tab) order; chart and dialog sheets are left out. */
  sheets: SheetPart[];
  sharedStringsPath?: string;
  stylesPath?: string;
}

const WORKBOOK_DIR = "xl";

/** Reads the workbook's sheet list and part paths from its two XML parts. */
export function locateWorkbookParts(workbookXml: string, relsXml: string): WorkbookLayout {
  const relationships = new Map<string, { type: string; path: string }>();
  for (const attributes of scanTags(relsXml, "Relationship")) {
    const { Id: id, Type: type, Target: target, TargetMode: mode } = attributes;
    if (!id || !type || !target || mode === "External") continue;
    relationships.set(id, { type, path: resolvePartPath(target) });
  }
  const layout: WorkbookLayout = { sheets: [] };
  for (const attributes of scanTags(workbookXml, "sheet")) {
    const relation = relationships.get(relationshipId(attributes) ?? "");
    if (attributes.name === undefined || !relation || !isType(relation.type, "worksheet")) continue;
    layout.sheets.push({ name: attributes.name, path: relation.path });
  }
  for (const { type, path } of relationships.values()) {
    if (isType(type, "sharedStrings")) layout.sharedStringsPath ??= path;
    if (isType(type, "styles")) layout.stylesPath ??= path;
  }
  return layout;
}

/**
 * The sheet to import: the one named `Data`, else the first worksheet. The name is
 * matched exactly first, then ignoring case: Excel itself treats sheet names
 * case-insensitively (it refuses two tabs that differ only in case), so a user's
 * `data` tab means the same.
 */
export function chooseSheet(sheets: readonly SheetPart[]): SheetPart | undefined {
  return (
    sheets.find((sheet) => sheet.name === "Data") ??
    sheets.find((sheet) => sheet.name.toLowerCase() === "data") ??
    sheets[0]
  );
}

/** A relationship target as a zip path: absolute targets from the package root, relative ones from `xl/`. */
function resolvePartPath(target: string): string {
  return target.startsWith("/")
    ? posix.normalize(target).slice(1)
    : posix.join(WORKBOOK_DIR, target);
}

/** Relationship types are URIs (transitional or strict namespace); compare the last segment. */
function isType(type: string, name: string): boolean {
  return type.endsWith(`/${name}`);
}

/** The `r:id` of a `<sheet>`, whatever prefix the writer bound to the relationships namespace. */
function relationshipId(attributes: Record<string, string>): string | undefined {
  for (const [key, value] of Object.entries(attributes)) {
    if (/^[\w.-]+:id$/.test(key)) return value;
  }
  return undefined;
}

/** Attributes of every start tag `<name …>` or `<prefix:name …>`, comments skipped. */
function scanTags(xml: string, name: string): Record<string, string>[] {
  const withoutComments = xml.replace(/<!--[\s\S]*?-->/g, "");
  const tag = new RegExp(`<(?:[\\w.-]+:)?${name}(?=[\\s/>])([^>]*)>`, "g");
  const found: Record<string, string>[] = [];
  for (const match of withoutComments.matchAll(tag)) found.push(parseAttributes(match[1] ?? ""));
  return found;
}

function parseAttributes(source: string): Record<string, string> {
  // A null-prototype object: attribute names come from the file.
  const attributes: Record<string, string> = Object.create(null);
  for (const match of source.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    const [, key, doubleQuoted, singleQuoted] = match;
    if (key) attributes[key] = decodeXmlEntities(doubleQuoted ?? singleQuoted ?? "");
  }
  return attributes;
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (entity, body: string) => {
    if (body.startsWith("#x")) return safeFromCodePoint(Number.parseInt(body.slice(2), 16), entity);
    if (body.startsWith("#")) return safeFromCodePoint(Number.parseInt(body.slice(1), 10), entity);
    return NAMED_ENTITIES[body] ?? entity;
  });
}

function safeFromCodePoint(codePoint: number, fallback: string): string {
  return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : fallback;
}
