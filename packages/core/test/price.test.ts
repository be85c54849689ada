import { parsePriceNumber, parsePriceText } from "@catalog/core";
import { normalize, plan, sheet } from "./support/sheet";

const ok = (price: string) => ({ ok: true, price });

describe("price text", () => {
  it.each([
    ["1234.5", "1234.50"],
    ["1,234.56", "1234.56"],
    ["1.234,56", "1234.56"],
    ["1234,56", "1234.56"],
    ["1 234,56", "1234.56"],
    ["1 234 567", "1234567.00"],
    ["12.345", "12345.00"],
    ["1.234.567", "1234567.00"],
    ["1,234,567.89", "1234567.89"],
    ["15.279,29", "15279.29"],
    ["7071.8", "7071.80"],
    ["0", "0.00"],
    ["0,5", "0.50"],
    ["12.50", "12.50"],
    ["12.500,00", "12500.00"],
    ["12.5000", "12.50"],
    ["99999999.99", "99999999.99"],
  ])("reads %j as %s", (text, price) => {
    expect(parsePriceText(text)).toEqual(ok(price));
  });

  it.each([
    ["₺1.250,00"],
    ["1.250,00 ₺"],
    ["$1,250"],
    ["1250 $"],
    ["€ 1.250"],
    ["£1250.00"],
    ["1.250,00 TL"],
    ["tl 1250"],
    ["1250 Try"],
    ["TRY1.250,00"],
  ])("accepts a currency sign at either end: %j", (text) => {
    expect(parsePriceText(text)).toEqual(ok("1250.00"));
  });

  it.each([
    ["1,23.45"],
    ["1.234.56"],
    ["1.2.3"],
    ["12 34"],
    ["on iki"],
    ["1e5"],
    ["12₺5"],
    ["₺12₺"],
    ["TL"],
    ["1,234.5.6"],
    ["."],
  ])("refuses %j as INVALID_PRICE", (text) => {
    expect(parsePriceText(text)).toMatchObject({ ok: false, code: "INVALID_PRICE" });
  });

  it("detects thousands only with 3-digit groups after a 1–3 digit part not starting with 0", () => {
    expect(parsePriceText("0.125")).toMatchObject({ ok: false, code: "PRICE_PRECISION" });
    expect(parsePriceText("1234.567")).toMatchObject({ ok: false, code: "PRICE_PRECISION" });
    expect(parsePriceText("1,2345")).toMatchObject({ ok: false, code: "PRICE_PRECISION" });
    expect(parsePriceText("100.000")).toEqual(ok("100000.00"));
  });

  it("puts range before precision: negative or over 99,999,999.99 is PRICE_OUT_OF_RANGE", () => {
    expect(parsePriceText("-5")).toMatchObject({ code: "PRICE_OUT_OF_RANGE" });
    expect(parsePriceText("-₺5")).toMatchObject({ code: "PRICE_OUT_OF_RANGE" });
    expect(parsePriceText("₺-5")).toMatchObject({ code: "PRICE_OUT_OF_RANGE" });
    expect(parsePriceText("100.000.000")).toMatchObject({ code: "PRICE_OUT_OF_RANGE" });
    expect(parsePriceText("99999999.991")).toMatchObject({ code: "PRICE_OUT_OF_RANGE" });
    expect(parsePriceText("-0.125")).toMatchObject({ code: "PRICE_OUT_OF_RANGE" });
    expect(parsePriceText("1.234.567,891")).toMatchObject({ code: "PRICE_PRECISION" });
    expect(parsePriceText("-0")).toEqual(ok("0.00"));
  });
});

describe("numeric price cells", () => {
  it("take the number their shortest printing says", () => {
    expect(parsePriceNumber(19.99)).toEqual(ok("19.99"));
    expect(parsePriceNumber(2500)).toEqual(ok("2500.00"));
    expect(parsePriceNumber(599.8200000000001)).toEqual(ok("599.82")); // the same double
    expect(parsePriceNumber(0)).toEqual(ok("0.00"));
  });

  it("are never rounded", () => {
    expect(parsePriceNumber(0.1 + 0.2)).toMatchObject({ code: "PRICE_PRECISION" });
    expect(parsePriceNumber(12.345)).toMatchObject({ code: "PRICE_PRECISION" });
    expect(parsePriceNumber(-5)).toMatchObject({ code: "PRICE_OUT_OF_RANGE" });
    expect(parsePriceNumber(1e21)).toMatchObject({ code: "PRICE_OUT_OF_RANGE" });
    expect(parsePriceNumber(1e-7)).toMatchObject({ code: "PRICE_PRECISION" });
  });
});

describe("the price column", () => {
  const HEAD = ["category", "title_en", "model_code", "fiyat"];

  it("holds two-decimal strings and logs every rewrite", () => {
    const file = normalize(
      sheet(HEAD, ["C", "T", "A", 2500], ["C", "T", "B", " 1.234,5 TL"], ["C", "T", "D", "19.99"]),
    );
    expect(file.rows.map((row) => row.values.price)).toEqual(["2500.00", "1234.50", "19.99"]);
    expect(file.normalizationLog.filter((e) => e.kind === "price")).toEqual([
      { row: 2, column: "price", kind: "price", from: "2500", to: "2500.00" },
      { row: 3, column: "price", kind: "price", from: "1.234,5 TL", to: "1234.50" },
    ]);
  });

  it("reports each refusal as an error on the price column with the cell text", () => {
    const result = plan(
      sheet(
        HEAD,
        ["C", "T", "A", "1,23.45"],
        ["C", "T", "B", -1],
        ["C", "T", "D", "0.125"],
        ["C", "T", "E", true],
      ),
    );
    expect(result.issues.map((i) => [i.row, i.column, i.code, i.severity, i.value])).toEqual([
      [2, "price", "INVALID_PRICE", "error", "1,23.45"],
      [3, "price", "PRICE_OUT_OF_RANGE", "error", "-1"],
      [4, "price", "PRICE_PRECISION", "error", "0.125"],
      [5, "price", "INVALID_PRICE", "error", "true"],
    ]);
    expect(result.summary.rows_valid).toBe(0);
  });
});
