import { FATAL_CODES, ISSUE_CODE_DESCRIPTIONS, ISSUE_CODES, severityOf } from "@catalog/core";

describe("issue codes", () => {
  it("hold the SPEC §3 set with their severities", () => {
    const errors = Object.keys(ISSUE_CODES).filter(
      (code) => ISSUE_CODES[code as keyof typeof ISSUE_CODES] === "error",
    );
    expect(errors.sort()).toEqual([
      "INVALID_PRICE",
      "INVALID_SLUG",
      "MISSING_BRAND",
      "MISSING_CATEGORY",
      "MISSING_SERIES",
      "PRICE_OUT_OF_RANGE",
      "PRICE_PRECISION",
      "REQUIRED_VALUE_MISSING",
      "SERIES_CATEGORY_MISMATCH",
      "TOO_MANY_SPECS",
      "VALUE_TOO_LONG",
    ]);
    expect(
      Object.keys(ISSUE_CODES)
        .filter((code) => !errors.includes(code))
        .sort(),
    ).toEqual([
      "DIMENSIONS_TOO_LONG",
      "DUPLICATE_COLUMN",
      "MODEL_CODE_DISAMBIGUATED",
      "PRODUCT_FIELD_CONFLICT",
      "TITLE_TOO_LONG",
      "UNKNOWN_COLUMN",
      "VARIANT_MOVED",
    ]);
    expect(severityOf("VARIANT_MOVED")).toBe("warning");
  });

  it("do not overlap the fatal codes", () => {
    expect(FATAL_CODES.filter((code) => code in ISSUE_CODES)).toEqual([]);
  });

  it("each have one sentence for people", () => {
    expect(Object.keys(ISSUE_CODE_DESCRIPTIONS).sort()).toEqual(Object.keys(ISSUE_CODES).sort());
    for (const sentence of Object.values(ISSUE_CODE_DESCRIPTIONS)) {
      expect(sentence).toMatch(/^[A-Z][^\n]*\.$/);
      expect(sentence.slice(0, -1)).not.toMatch(/\.\s/);
    }
  });
});
