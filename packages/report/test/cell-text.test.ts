import {
  dateText,
  displayText,
  EXCEL_MAX_CELL_CHARS,
  joinForCell,
  numberCell,
  textCell,
} from "../src/cell-text";

describe("cell text", () => {
  it("textCell keeps strings as they are and turns anything else into its text", () => {
    expect(textCell("=1+1")).toBe("=1+1");
    expect(textCell(" padded ")).toBe(" padded ");
    expect(textCell(null)).toBeNull();
    expect(textCell(undefined)).toBeNull();
    expect(textCell(1234.5)).toBe("1234.5");
    expect(textCell({ formula: "1+1" })).toBe("[object Object]");
  });

  it("numberCell keeps numbers and writes anything else as text", () => {
    expect(numberCell(7)).toBe(7);
    expect(numberCell("7")).toBe("7");
    expect(numberCell({ formula: "A1" })).toBe("[object Object]");
  });

  it("displayText cuts to Excel's cell limit with an ellipsis, never inside a surrogate pair", () => {
    expect(displayText("x".repeat(EXCEL_MAX_CELL_CHARS))).toHaveLength(EXCEL_MAX_CELL_CHARS);
    const long = displayText("x".repeat(EXCEL_MAX_CELL_CHARS + 10)) ?? "";
    expect(long).toHaveLength(EXCEL_MAX_CELL_CHARS);
    expect(long.endsWith("x…")).toBe(true);
    // A pair that would straddle the cut is dropped whole; one before it is kept.
    const straddling = displayText(`${"x".repeat(EXCEL_MAX_CELL_CHARS - 2)}🍳🍳`) ?? "";
    expect(straddling).toBe(`${"x".repeat(EXCEL_MAX_CELL_CHARS - 2)}…`);
    const before = displayText(`${"x".repeat(EXCEL_MAX_CELL_CHARS - 3)}🍳🍳`) ?? "";
    expect(before).toBe(`${"x".repeat(EXCEL_MAX_CELL_CHARS - 3)}🍳…`);
    expect(before).toHaveLength(EXCEL_MAX_CELL_CHARS);
  });

  it("joinForCell lists items and stops before the cell limit", () => {
    expect(joinForCell([2, 5, 9])).toBe("2, 5, 9");
    expect(joinForCell([])).toBe("");
    const rows = Array.from({ length: 10_000 }, (_, index) => index + 100_000);
    const text = joinForCell(rows);
    expect(text.length).toBeLessThanOrEqual(EXCEL_MAX_CELL_CHARS);
    const shown = text.split(" … ")[0]?.split(", ").length ?? 0;
    expect(text).toMatch(new RegExp(` … \\(\\+${rows.length - shown} more\\)$`));
  });

  it("dateText writes dates as ISO 8601 UTC and keeps stored text", () => {
    expect(dateText(new Date("2024-05-01T10:00:00Z"))).toBe("2024-05-01T10:00:00.000Z");
    expect(dateText("2024-05-01 10:00:00+00")).toBe("2024-05-01 10:00:00+00");
    expect(dateText(null)).toBeNull();
    expect(dateText(new Date(Number.NaN))).toBeNull();
  });
});
