import { compareCodePoints, sortedByCodePoint } from "@catalog/core";

describe("compareCodePoints", () => {
  it("orders by code point, not by UTF-16 code unit", () => {
    // U+FF5E (a BMP character above the surrogates) comes before U+1F600 by code point,
    // after it by code unit (0xFF5E > 0xD83D).
    const bmp = "\uff5e";
    const astral = "😀";
    expect([astral, bmp].sort()).toEqual([astral, bmp]);
    expect(sortedByCodePoint([astral, bmp])).toEqual([bmp, astral]);
  });

  it("is not locale-aware: upper case before lower case, Turkish letters after ASCII", () => {
    expect(sortedByCodePoint(["b", "a", "B", "ç", "c", "ab", "a"])).toEqual([
      "B",
      "a",
      "a",
      "ab",
      "b",
      "c",
      "ç",
    ]);
    expect(compareCodePoints("a", "a")).toBe(0);
    expect(compareCodePoints("a", "ab")).toBeLessThan(0);
  });
});
