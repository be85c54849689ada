import { isEmptyToken } from "@catalog/core";
import { HEADER, normalize, plan, sheet } from "./support/sheet";

const HEAD = ["category", "title_en", "model_code", "dimensions", "spec:Renk"];

/** The normalized dimensions cell of a one-row file, with its log. */
function dimensions(cell: Parameters<typeof sheet>[1][number]) {
  const file = normalize(sheet(HEAD, ["C", "T", "M", cell, "x"]));
  return {
    value: file.rows[0]?.values.dimensions,
    log: file.normalizationLog.filter((entry) => entry.column === "dimensions"),
  };
}

describe("empty tokens", () => {
  it.each([
    "",
    "-",
    "nan",
    "NaN",
    "NAN",
    "null",
    "NULL",
    "Null",
    "none",
    "None",
    "n/a",
    "N/A",
    "#N/A",
    "#n/a",
    "  -  ",
    "\u00a0N/A\u00a0",
  ])("%j is empty", (token) => {
    expect(isEmptyToken(token.replace(/\u00a0/g, " "))).toBe(true);
    expect(dimensions(token).value).toBeNull();
  });

  it("keeps text that merely contains a token, and zero", () => {
    for (const text of ["--", "n/a/b", "nullable", "0", "none of them"]) {
      expect(dimensions(text).value).toBe(text);
    }
  });

  it("logs a token turned into null (but not an already empty cell)", () => {
    expect(dimensions("N/A").log).toEqual([
      { row: 2, column: "dimensions", kind: "empty_token", from: "N/A", to: null },
    ]);
    expect(dimensions("").log).toEqual([]);
    expect(dimensions(null).log).toEqual([]);
  });

  it("applies to every column, specs and price included", () => {
    const file = normalize(
      sheet([...HEAD, "price", "spec:Güç"], ["C", "T", "M", "-", "null", "#N/A", "none"]),
    );
    const row = file.rows[0];
    expect(row?.values.dimensions).toBeNull();
    expect(row?.values.price).toBeNull();
    expect(row?.specs.size).toBe(0);
    expect(row?.issues).toEqual([]);
  });
});

describe("blank rows", () => {
  it("skips rows whose every cell (under any column) is empty or a token, keeping sheet numbers", () => {
    const file = normalize(
      sheet(
        HEAD,
        ["C", "T", "A", "", ""],
        [null, "", "-", "null", "N/A"],
        [],
        ["C", "T", "B", "", ""],
      ),
    );
    expect(file.rows.map((row) => row.row)).toEqual([2, 5]);
  });

  it("counts a row with a value only in an unknown column, and reports what it lacks", () => {
    const result = plan(sheet([...HEAD, "note"], ["", "", "", "", "", "hello"]));
    expect(result.summary.rows_total).toBe(1);
    expect(result.issues.map((i) => i.code)).toContain("REQUIRED_VALUE_MISSING");
  });

  it("finds the header on the first non-blank line and numbers rows by sheet line", () => {
    const rows = [
      { row: 1, cells: [] },
      { row: 2, cells: ["", " - "] },
      { row: 3, cells: HEADER },
      { row: 5, cells: ["C", "", "", "", "T", ""] },
    ];
    const result = plan(rows);
    expect(result.issues.map((i) => [i.row, i.column, i.code])).toEqual([
      [5, "model_code", "REQUIRED_VALUE_MISSING"],
    ]);
  });
});

describe("text normalization", () => {
  it("trims, composes to NFC and turns non-breaking spaces into spaces, logging each step", () => {
    const { value, log } = dimensions("\u00a0 Cafe\u0301\u00a0600 mm ");
    expect(value).toBe("Café 600 mm");
    expect(log.map((entry) => entry.kind)).toEqual(["nbsp", "nfc", "trim"]);
    expect(log[0]).toEqual({
      row: 2,
      column: "dimensions",
      kind: "nbsp",
      from: "\u00a0 Cafe\u0301\u00a0600 mm ",
      to: "  Cafe\u0301 600 mm ",
    });
    expect(log[2]?.to).toBe("Café 600 mm");
  });

  it("removes control characters Postgres cannot store", () => {
    const { value, log } = dimensions("60\u0000x70\u0007");
    expect(value).toBe("60x70");
    expect(log.map((entry) => entry.kind)).toEqual(["control_characters"]);
  });

  it("logs nothing for a clean cell", () => {
    expect(dimensions("600x700").log).toEqual([]);
  });

  it("logs spec columns as spec:<Name>", () => {
    const file = normalize(sheet(HEAD, ["C", "T", "M", "", " red "]));
    expect(file.normalizationLog).toEqual([
      { row: 2, column: "spec:Renk", kind: "trim", from: " red ", to: "red" },
    ]);
  });
});

describe("non-text cells in text columns", () => {
  it("writes a numeric cell with its digits, never 6010.0", () => {
    const file = normalize(sheet(HEAD, ["C", "T", 6010, 19.99, 100]));
    const row = file.rows[0];
    expect(row?.values.model_code).toBe("6010");
    expect(row?.values.dimensions).toBe("19.99");
    expect(row?.specs.get("Renk")).toBe("100");
    expect(file.normalizationLog).toContainEqual({
      row: 2,
      column: "model_code",
      kind: "number_to_text",
      from: "6010",
      to: "6010",
    });
  });

  it("uses the shortest decimal printing, without exponents", () => {
    const file = normalize(sheet(HEAD, ["C", "T", 1e21, 1.5e-7, 0.1 + 0.2]));
    const row = file.rows[0];
    expect(row?.values.model_code).toBe("1000000000000000000000");
    expect(row?.values.dimensions).toBe("0.00000015");
    expect(row?.specs.get("Renk")).toBe("0.30000000000000004");
  });

  it("writes dates as ISO dates and booleans as true/false", () => {
    const file = normalize(sheet(HEAD, ["C", "T", new Date("2024-03-05T00:00:00Z"), true, false]));
    const row = file.rows[0];
    expect(row?.values.model_code).toBe("2024-03-05");
    expect(row?.values.dimensions).toBe("true");
    expect(row?.specs.get("Renk")).toBe("false");
    expect(file.normalizationLog.map((entry) => entry.kind)).toEqual([
      "date_to_text",
      "boolean_to_text",
      "boolean_to_text",
    ]);
  });
});
