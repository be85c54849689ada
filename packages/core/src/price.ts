/**
 * Price parsing (SPEC §3): a numeric cell is the number its shortest decimal printing
 * says; text may use `.`/`,`/space separators in the common European and
 * English formats, with a currency sign at either end. The result is a two-decimal
 * string (`"7071.80"`), never a float; a price is never rounded silently.
 */
import { numberToDecimalText } from "./decimal-text";

/** Why a price was refused. */
export type PriceErrorCode = "INVALID_PRICE" | "PRICE_PRECISION" | "PRICE_OUT_OF_RANGE";

/** A parsed price, or why it could not be one. */
export type PriceResult =
  | { ok: true; price: string }
  | { ok: false; code: PriceErrorCode; reason: string };

/** numeric(10,2): at most 99,999,999.99, in cents. */
const MAX_CENTS = 9_999_999_999n;

const CURRENCY = "(?:₺|\\$|€|£|try|tl)";
const LEADING_CURRENCY = new RegExp(`^${CURRENCY}\\s*`, "i");
const TRAILING_CURRENCY = new RegExp(`\\s*${CURRENCY}$`, "i");
const MINUS = /^[-\u2212]\s*/;

/** Parses a numeric cell (SPEC: "19.99 stays 19.99"). */
export function parsePriceNumber(value: number): PriceResult {
  if (!Number.isFinite(value)) return invalid(`${value} is not a number`);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(numberToDecimalText(value));
  if (!match) return invalid(`${value} is not a decimal number`);
  const [, sign, whole = "", fraction = ""] = match;
  return checkedPrice(sign === "-", whole, fraction);
}

/** Parses a price written as text (already trimmed and non-empty). */
export function parsePriceText(text: string): PriceResult {
  let rest = text.trim();
  let negative = false;
  const takeMinus = () => {
    const minus = MINUS.exec(rest);
    if (!minus) return;
    negative = true;
    rest = rest.slice(minus[0].length);
  };
  takeMinus();
  const withoutCurrency = rest.replace(LEADING_CURRENCY, "");
  rest = withoutCurrency !== rest ? withoutCurrency : rest.replace(TRAILING_CURRENCY, "");
  if (!negative) takeMinus();
  const parts = splitDecimal(rest.trim());
  if (!parts) return invalid(`"${text}" is not a price`);
  return checkedPrice(negative, parts.whole, parts.fraction);
}

/** The integer and fraction digits of a number body, or null when its separators are inconsistent. */
function splitDecimal(body: string): { whole: string; fraction: string } | null {
  if (!/^[\d., ]+$/.test(body) || !/\d/.test(body)) return null;
  const separator = decimalSeparator(body);
  const pieces = separator ? body.split(separator) : [body];
  // The decimal point may appear once; `1.234.56` is neither thousands nor decimals.
  if (pieces.length > 2) return null;
  const [wholePart = "", fraction = ""] = pieces;
  if (!/^\d*$/.test(fraction)) return null;
  const whole = groupedInteger(wholePart);
  if (whole === null || (whole === "" && fraction === "")) return null;
  return { whole, fraction };
}

/**
 * The decimal separator of `body`, or null when it has none. With both `.` and `,`
 * the last one is the decimal point. With one kind only, it is a thousands separator
 * when every group after it has three digits and the part before it has one to three
 * digits not starting with 0 (`12.345`, `1.234.567`), else the decimal point (`0.125`).
 */
function decimalSeparator(body: string): "." | "," | null {
  const dot = body.lastIndexOf(".");
  const comma = body.lastIndexOf(",");
  if (dot >= 0 && comma >= 0) return dot > comma ? "." : ",";
  const separator = dot >= 0 ? "." : comma >= 0 ? "," : null;
  if (!separator) return null;
  const [first = "", ...groups] = body.split(separator);
  const thousands = /^[1-9]\d{0,2}$/.test(first) && groups.every((group) => /^\d{3}$/.test(group));
  return thousands ? null : separator;
}

/** The digits of an integer part whose thousands groups (`.`, `,` or space) are well formed, else null. */
function groupedInteger(text: string): string | null {
  const groups = text.split(/[., ]/);
  if (groups.length === 1) return /^\d*$/.test(text) ? text : null;
  const [first = "", ...rest] = groups;
  const wellFormed = /^[1-9]\d{0,2}$/.test(first) && rest.every((group) => /^\d{3}$/.test(group));
  return wellFormed ? groups.join("") : null;
}

/** Range first (negative, over the maximum), then precision; else the two-decimal string. */
function checkedPrice(negative: boolean, wholeDigits: string, fractionDigits: string): PriceResult {
  const whole = wholeDigits.replace(/^0+/, "") || "0";
  // Trailing zeros do not make a price more precise: 12.500 is 12.5.
  const fraction = fractionDigits.replace(/0+$/, "");
  const written = fraction ? `${whole}.${fraction}` : whole;
  if (negative && written !== "0") {
    return { ok: false, code: "PRICE_OUT_OF_RANGE", reason: `-${written} is negative` };
  }
  const scale = Math.max(fraction.length, 2);
  const scaled = BigInt(whole + fraction.padEnd(scale, "0"));
  if (scaled > MAX_CENTS * 10n ** BigInt(scale - 2)) {
    return { ok: false, code: "PRICE_OUT_OF_RANGE", reason: `${written} is over 99999999.99` };
  }
  if (fraction.length > 2) {
    return {
      ok: false,
      code: "PRICE_PRECISION",
      reason: `${written} has ${fraction.length} decimals, at most 2 are allowed`,
    };
  }
  return { ok: true, price: `${whole}.${fraction.padEnd(2, "0")}` };
}

function invalid(reason: string): PriceResult {
  return { ok: false, code: "INVALID_PRICE", reason };
}
