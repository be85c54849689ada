/**
 * slugify (SPEC §3): Turkish transliteration, other diacritics stripped, lower case,
 * every run of anything else turned into one `-`, trimmed of `-`.
 */

/**
 * Letters that Unicode decomposition does not reduce to ASCII: the Turkish dotless ı
 * and dotted İ (whose lower case would keep a combining dot), and the usual Latin
 * letters without a decomposition.
 */
/**
 * Turkish letters folded to ASCII, upper and lower case alike (header matching
 * and slugify share it).
 */
export const TURKISH_FOLDING: ReadonlyMap<string, string> = new Map([
  ["ç", "c"],
  ["Ç", "c"],
  ["ğ", "g"],
  ["Ğ", "g"],
  ["ı", "i"],
  ["İ", "i"],
  ["ö", "o"],
  ["Ö", "o"],
  ["ş", "s"],
  ["Ş", "s"],
  ["ü", "u"],
  ["Ü", "u"],
]);

const TRANSLITERATION: ReadonlyMap<string, string> = new Map([
  ...TURKISH_FOLDING,
  ["ß", "ss"],
  ["æ", "ae"],
  ["Æ", "ae"],
  ["œ", "oe"],
  ["Œ", "oe"],
  ["ø", "o"],
  ["Ø", "o"],
  ["ł", "l"],
  ["Ł", "l"],
  ["đ", "d"],
  ["Đ", "d"],
  ["ð", "d"],
  ["Ð", "d"],
  ["þ", "th"],
  ["Þ", "th"],
]);

/** Any UTF-16 unit beyond ASCII (surrogates included). */
const NON_ASCII = /[\u0080-\uffff]/;

/** The slug of `text`; empty when `text` has no letter or digit that maps to ASCII. */
export function slugify(text: string): string {
  // ASCII needs no transliteration, has no decomposition and no mark.
  if (!NON_ASCII.test(text)) {
    return text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "");
  }
  return text
    .replace(/[\u0080-\uffff]/g, (char) => TRANSLITERATION.get(char) ?? char)
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
