/**
 * Numbers as text: what a numeric spreadsheet cell says, in plain decimal digits.
 */

/**
 * The shortest decimal printing of `value` (the digits that read back as the same
 * double), never in exponent form: `6010` → "6010", `19.99` → "19.99",
 * `1e21` → "1000000000000000000000". Nothing is rounded: a double that is not the
 * one its shorter neighbour reads as (0.1 + 0.2) keeps all its digits.
 *
 * @throws RangeError for NaN and infinities, which no cell can hold.
 */
export function numberToDecimalText(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite number`);
  if (value === 0) return "0";
  return expandExponent(String(value));
}

/** Rewrites JavaScript's exponent form (`1.5e-7`, `1e+21`) as plain digits. */
function expandExponent(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
