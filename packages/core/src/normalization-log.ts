/**
 * The normalization log: one entry for every change the importer made to a cell, so
 * that an operator can see why a value in the catalog differs from the file.
 */

/** What kind of change was made. */
export type NormalizationKind =
  /** Control characters removed (Postgres cannot store NUL) or lone surrogates replaced. */
  | "control_characters"
  /** Non-breaking spaces turned into ordinary spaces. */
  | "nbsp"
  /** Unicode NFC composition. */
  | "nfc"
  /** Leading/trailing whitespace removed. */
  | "trim"
  /** An empty token (`-`, `null`, `N/A`, …) read as an empty cell. */
  | "empty_token"
  /** A numeric cell in a text column written as text. */
  | "number_to_text"
  /** A boolean cell written as `true`/`false`. */
  | "boolean_to_text"
  /** A date cell written as an ISO date. */
  | "date_to_text"
  /** A price written as a two-decimal string. */
  | "price"
  /** A given slug passed through slugify. */
  | "slugify"
  /** A repeated model code renamed `CODE-k`. */
  | "model_code_disambiguated";

/** One change to one cell. */
export interface NormalizationLogEntry {
  row: number;
  /** Canonical column name, or `spec:<Name>` for a spec column. */
  column: string;
  kind: NormalizationKind;
  from: string | null;
  to: string | null;
}
