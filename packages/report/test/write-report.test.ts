import { writeReport } from "@catalog/report";
import type ExcelJS from "exceljs";
import { loadWorkbook, rowsFrom, rowValues, sheetNamed } from "./support/read-report";
import { HEADER, sampleModel } from "./support/sample-model";
import { makeTempDir } from "./support/temp-dir";

const SHEETS = ["Summary", "Issues", "Data", "Candidates", "Normalization"];

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let workbook: ExcelJS.Workbook;
let written: Awaited<ReturnType<typeof writeReport>>;

beforeAll(async () => {
  temp = await makeTempDir();
  const file = temp.file("report.xlsx");
  written = await writeReport(sampleModel(), file);
  workbook = await loadWorkbook(file);
});
afterAll(() => temp.remove());

/** The Summary's `value` for `section`/`item`, failing when the line is missing. */
function summaryValue(section: string, item: string): unknown {
  const sheet = sheetNamed(workbook, "Summary");
  const line = rowsFrom(sheet, 2, 3).find(([s, i]) => s === section && i === item);
  if (!line) throw new Error(`no Summary line ${section} / ${item}`);
  return line[2];
}

describe("writeReport on a small model", () => {
  it("reports what it wrote", () => {
    expect(written).toEqual({ rows: 3, issues: 4, candidates: 3, normalization: 3 });
  });

  it("writes the five sheets in order", () => {
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(SHEETS);
  });

  it.each(SHEETS)("%s has a bold, frozen header row with an autofilter", (name) => {
    const sheet = sheetNamed(workbook, name);
    const width = sheet.getRow(1).cellCount;
    expect(width).toBeGreaterThan(1);
    for (let column = 1; column <= width; column++) {
      expect(sheet.getRow(1).getCell(column).font?.bold).toBe(true);
    }
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    const lastColumn = String.fromCharCode(64 + width);
    expect(sheet.autoFilter).toBe(`A1:${lastColumn}${sheet.rowCount}`);
  });

  it("sets column widths without measuring cells (from the layout or the header)", () => {
    const issues = sheetNamed(workbook, "Issues");
    expect(issues.getColumn(5).width).toBe(70); // message
    const data = sheetNamed(workbook, "Data");
    expect(data.getColumn(1).width).toBe(12); // "Kategori" + 4
    expect(data.getColumn(7).width).toBe(17); // "spec:Güç (kW)" + 4
  });

  it("Summary: job facts, every preview count as a number, result and db_verify", () => {
    expect(rowValues(sheetNamed(workbook, "Summary"), 1, 3)).toEqual(["section", "item", "value"]);
    expect(summaryValue("job", "status")).toBe("validated");
    expect(summaryValue("job", "mode")).toBe("smart");
    expect(summaryValue("job", "file_name")).toBe("katalog.xlsx");
    expect(summaryValue("job", "file_hash")).toBe("a".repeat(64));
    expect(summaryValue("job", "id")).toBe("5f1d7c9e-0000-4000-8000-000000000001");
    expect(summaryValue("job", "created_by")).toBe("ops@example.com");
    expect(summaryValue("job", "created_at")).toBe("2024-05-01T10:00:00.000Z");
    expect(summaryValue("job", "validated_at")).toBe("2024-05-01T10:00:05.000Z");
    expect(summaryValue("job", "completed_at")).toBeNull();
    const preview: [string, number][] = [
      ["rows_total", 4],
      ["rows_valid", 3],
      ["rows_with_errors", 1],
      ["rows_with_warnings", 1],
      ["errors", 2],
      ["warnings", 2],
      ["candidates.categories", 1],
      ["candidates.series", 1],
      ["candidates.brands", 1],
      ["products.create", 2],
      ["products.update", 1],
      ["products.unchanged", 0],
      ["variants.create", 2],
      ["variants.update", 0],
      ["variants.unchanged", 1],
    ];
    for (const [item, count] of preview) expect(summaryValue("preview", item)).toBe(count);
    expect(summaryValue("result", "products.create")).toBe(2);
    expect(summaryValue("result", "variants.unchanged")).toBe(1);
    expect(summaryValue("db_verify", "enabled")).toBe(true);
    expect(summaryValue("db_verify", "created_entities_found_in_db")).toBe(true);
    expect(summaryValue("db_verify", "created_product_slugs")).toBe(2);
    expect(summaryValue("db_verify", "created_product_slugs (list)")).toBe("firin-1, ocak-2");
    expect(summaryValue("db_verify", "created_variant_model_codes (list)")).toBe(
      "GKO-6010, GKO-6010-2",
    );
    expect(summaryValue("db_verify", "verification_details")).toBe('{"products":2,"variants":2}');
  });

  it("Summary: issues counted by code, errors first, and the header warnings listed", () => {
    const lines = rowsFrom(sheetNamed(workbook, "Summary"), 2, 3).filter(([section]) =>
      ["errors", "warnings", "header_warning"].includes(String(section)),
    );
    expect(lines).toEqual([
      ["errors", "INVALID_PRICE", 1],
      ["errors", "REQUIRED_VALUE_MISSING", 1],
      ["warnings", "MODEL_CODE_DISAMBIGUATED", 1],
      ["warnings", "UNKNOWN_COLUMN", 1],
      ["header_warning", "warranty_years", "Unknown column warranty_years is ignored"],
    ]);
  });

  it("Summary: no failure lines when the job has none", () => {
    const sections = rowsFrom(sheetNamed(workbook, "Summary"), 2, 1).map(([section]) => section);
    expect(sections).not.toContain("failure");
  });

  it("Issues: every issue with its values, in the given order", () => {
    const sheet = sheetNamed(workbook, "Issues");
    expect(rowValues(sheet, 1, 6)).toEqual([
      "row",
      "column",
      "code",
      "severity",
      "message",
      "value",
    ]);
    expect(rowsFrom(sheet, 2, 6)).toEqual(
      [...sampleModel().issues].map((issue) => [
        issue.row,
        issue.column,
        issue.code,
        issue.severity,
        issue.message,
        issue.value,
      ]),
    );
  });

  it("Issues: error severity cells are filled red, warnings amber", () => {
    const sheet = sheetNamed(workbook, "Issues");
    const fill = (row: number) => {
      const { fill } = sheet.getRow(row).getCell(4);
      return fill?.type === "pattern" ? fill.fgColor?.argb : undefined;
    };
    expect([fill(2), fill(3), fill(4), fill(5)]).toEqual([
      "FFFFEB9C",
      "FFFFC7CE",
      "FFFFC7CE",
      "FFFFEB9C",
    ]);
    expect(sheet.getRow(3).getCell(4).font?.color?.argb).toBe("FF9C0006");
  });

  it("Data: the header as given, then the normalized cells, all as text", () => {
    const sheet = sheetNamed(workbook, "Data");
    expect(rowValues(sheet, 1, HEADER.length)).toEqual(HEADER);
    const rows = rowsFrom(sheet, 2, HEADER.length);
    expect(rows).toEqual([...sampleModel().data.rows].map((row) => row.cells));
    // Prices and codes stay text: "1234.50" keeps its zero, "00123" its leading zeros.
    expect(sheet.getCell("F2").value).toBe("1234.50");
    expect(sheet.getCell("E4").value).toBe("00123");
    expect(sheet.getCell("G4").value).toBe("6010");
  });

  it("Candidates: type, slug, name, category for series, rows as a list", () => {
    const sheet = sheetNamed(workbook, "Candidates");
    expect(rowValues(sheet, 1, 5)).toEqual(["type", "slug", "name", "category", "rows"]);
    expect(rowsFrom(sheet, 2, 5)).toEqual([
      ["category", "pisirme-ekipmanlari", "Pişirme Ekipmanları", null, "2, 4"],
      ["series", "600-serisi", "600 Serisi", "pisirme-ekipmanlari", "2"],
      ["brand", "kuzina", "Kuzina", null, "2, 5, 9"],
    ]);
  });

  it("Normalization: row, column, kind, from, to", () => {
    const sheet = sheetNamed(workbook, "Normalization");
    expect(rowValues(sheet, 1, 5)).toEqual(["row", "column", "kind", "from", "to"]);
    expect(rowsFrom(sheet, 2, 5)).toEqual([
      [2, "price", "price", "₺1.234,50", "1234.50"],
      [4, "model_code", "disambiguate", "GKO-6010", "GKO-6010-2"],
      [5, "series", "empty_token", "n/a", null],
    ]);
  });
});
