/**
 * @catalog/readers: turns an uploaded XLSX or CSV into the core's {@link RawRow}s, with
 * the guards that keep a hostile file from exhausting the worker (SPEC §3, §12).
 */
export { type CsvDelimiter, detectDelimiter } from "./csv-delimiter";
export { DEFAULT_READ_LIMITS, type ReadLimits, resolveReadLimits } from "./read-limits";
export { type ReadRowsOptions, readRows } from "./read-rows";
export { type FileKind, looksLikeText, sniffFileKind } from "./sniff-file-kind";
