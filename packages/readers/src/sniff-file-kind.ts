/**
 * Tells an upload's kind from its first bytes and its name, for the upload endpoint's
 * 415 check and for the reader's own dispatch.
 *
 * The rule (both the bytes and the name must agree):
 * - `"xlsx"`: the bytes start with a zip local-file header (`PK\x03\x04`) and the name
 *   ends in `.xlsx` or names no other known format (no extension, or one we do not know);
 * - `"csv"`: the bytes look like text (see {@link looksLikeText}) and the name ends in
 *   `.csv`, `.tsv` or `.txt` or names no other known format;
 * - anything else, an empty head included, is `null`.
 * A known extension of another format (`.xls`, `.pdf`, `.png`, `.docx`, ...) is never
 * accepted, whatever the bytes: a `.docx` is a zip too, and a `.json` is text too.
 */
import { extname } from "node:path";

/** A file kind the readers read. */
export type FileKind = "xlsx" | "csv";

const ZIP_LOCAL_FILE = Buffer.from("PK\x03\x04", "latin1");

/** Leading bytes of binary formats that would otherwise pass the text test (they are printable). */
const BINARY_MAGICS: readonly Buffer[] = [
  Buffer.from([0x89, 0x50, 0x4e, 0x47]), // PNG
  Buffer.from([0xff, 0xd8, 0xff]), // JPEG
  Buffer.from("%PDF-", "latin1"),
  Buffer.from("GIF87a", "latin1"),
  Buffer.from("GIF89a", "latin1"),
  Buffer.from("PK\x03\x04", "latin1"), // zip
  Buffer.from("PK\x05\x06", "latin1"), // empty zip
  Buffer.from("PK\x07\x08", "latin1"), // spanned zip
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0]), // OLE2: .xls, .doc
  Buffer.from([0x1f, 0x8b]), // gzip
  Buffer.from("Rar!", "latin1"),
  Buffer.from([0x37, 0x7a, 0xbc, 0xaf]), // 7z
];

const TEXT_EXTENSIONS = new Set([".csv", ".tsv", ".txt"]);

/** Extensions of formats other than XLSX and CSV; a name with one of these is refused. */
const OTHER_FORMAT_EXTENSIONS = new Set([
  ".xls",
  ".xlsm",
  ".xlsb",
  ".xltx",
  ".ods",
  ".numbers",
  ".doc",
  ".docx",
  ".ppt",
  ".pptx",
  ".odt",
  ".pdf",
  ".png",
  ".jpg",
  ".jpeg",
  ".gif",
  ".webp",
  ".bmp",
  ".tif",
  ".tiff",
  ".zip",
  ".gz",
  ".rar",
  ".7z",
  ".json",
  ".xml",
  ".html",
  ".htm",
]);

/** The kind of a file from its first bytes (a few hundred are enough) and its name; see the module comment. */
export function sniffFileKind(head: Buffer, fileName: string): FileKind | null {
  const extension = extname(fileName).toLowerCase();
  const unknownExtension = !OTHER_FORMAT_EXTENSIONS.has(extension);
  if (isZip(head)) {
    return extension === ".xlsx" || (unknownExtension && !TEXT_EXTENSIONS.has(extension))
      ? "xlsx"
      : null;
  }
  if (looksLikeText(head)) {
    return TEXT_EXTENSIONS.has(extension) || (unknownExtension && extension !== ".xlsx")
      ? "csv"
      : null;
  }
  return null;
}

/** Whether `head` starts with a zip local-file header (every XLSX does). */
export function isZip(head: Buffer): boolean {
  return head.subarray(0, ZIP_LOCAL_FILE.length).equals(ZIP_LOCAL_FILE);
}

/**
 * Whether `head` looks like text in an 8-bit or UTF-8 encoding: not empty, no NUL
 * byte, no other control byte but tab, line breaks, form feed and the DOS end-of-file
 * mark, and not a known binary signature. Bytes over 0x7F are allowed (UTF-8,
 * Windows-1254).
 */
export function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  if (BINARY_MAGICS.some((magic) => head.subarray(0, magic.length).equals(magic))) return false;
  return head.every(
    (byte) =>
      byte >= 0x20 ||
      byte === 0x09 ||
      byte === 0x0a ||
      byte === 0x0c ||
      byte === 0x0d ||
      byte === 0x1a,
  );
}
