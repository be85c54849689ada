/**
 * @catalog/core: the pure domain core — header mapping, normalization, validation,
 * the plan, snapshot encoding and the in-memory meaning of commit. No I/O.
 */
export * from "./apply-plan";
export * from "./canonical-json";
export * from "./catalog-keys";
export * from "./catalog-view";
export { compareCodePoints, sortedByCodePoint } from "./code-point-order";
export * from "./data-rows";
export * from "./decode-snapshot";
export * from "./disambiguate-model-codes";
export * from "./empty-tokens";
export * from "./fatal-import-error";
export {
  CANONICAL_COLUMNS,
  type CanonicalColumn,
  type ColumnRole,
  foldHeader,
  type HeaderColumn,
  type HeaderMap,
  mapHeader,
} from "./header-map";
export * from "./import-plan";
export * from "./issue";
export * from "./issue-codes";
export * from "./normalization-log";
export { isBlankRow, normalizeFile } from "./normalize-file";
export * from "./normalized-file";
export * from "./plan-changes";
export * from "./plan-import";
export * from "./price";
export * from "./raw-row";
export * from "./slugify";
export * from "./snapshot";
export type { SpecRecord } from "./specs";
export * from "./summary";
