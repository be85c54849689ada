/**
 * String ordering by Unicode code point, the one order every list in a result and
 * every key in a snapshot uses. `<` and `Array.prototype.sort` compare UTF-16 code
 * units and `localeCompare` follows a locale, so neither is stable across the
 * characters users type (emoji and other astral characters sort wrongly with `<`).
 */

/** Compares two strings by code point; negative, zero or positive like a sort comparator. */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const left = a.charCodeAt(index);
    const right = b.charCodeAt(index);
    if (left !== right) return codeUnitRank(left) - codeUnitRank(right);
  }
  return a.length - b.length;
}

/**
 * At the first differing code unit, a surrogate starts a code point above U+FFFF, so
 * it must rank after U+E000–U+FFFF although its code unit is smaller.
 */
function codeUnitRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** A new array of `values` sorted by code point. */
export function sortedByCodePoint(values: Iterable<string>): string[] {
  return [...values].sort(compareCodePoints);
}
