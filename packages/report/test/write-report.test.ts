import { writeReport } from "@catalog/report";
import type ExcelJS from "exceljs";
import {
  dataMarks,
  fillOf,
  loadWorkbook,
  readRawReport,
  rowsFrom,
  rowValues,
  type SummaryLine,
  sheetNamed,
  summaryLines,
  summaryText,
  summaryValue as valueIn,
} from "./support/read-report";
import { HEADER, sampleModel } from "./support/sample-model";
import { makeTempDir } from "./support/temp-dir";

const SHEETS = ["Summary", "Issues", "Data", "Candidates", "Normalization"];
const TABLES = SHEETS.filter((name) => name !== "Summary");

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let file: string;
let workbook: ExcelJS.Workbook;
let written: Awaited<ReturnType<typeof writeReport>>;

beforeAll(async () => {
  temp = await makeTempDir();
  file = temp.file("report.xlsx");
  written = await writeReport(sampleModel(), file);
  workbook = await loadWorkbook(file);
});
afterAll(() => temp.remove());

const summaryValue = (section: string, item: string) => valueIn(workbook, section, item);

describe("writeReport on a small model", () => {
  it("reports what it wrote", () => {
    expect(written).toEqual({
      rows: 4,
      markedRows: 2,
      issues: 4,
      candidates: 3,
      normalization: 3,
    });
  });

  it("writes the five sheets in order", () => {
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(SHEETS);
  });

  it.each(TABLES)("%s has a bold, frozen header row with an autofilter", (name) => {
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

  it("sets column widths from the layout, the header and the first rows' cells", () => {
    const issues = sheetNamed(workbook, "Issues");
    expect(issues.getColumn(7).width).toBe(70); // message
    const data = sheetNamed(workbook, "Data");
    expect(data.getColumn(1).width).toBe(21); // "Pişirme Ekipmanları" + 2
    expect(data.getColumn(7).width).toBe(17); // "spec:Güç (kW)" + 4, wider than its cells
  });

  it("Summary: the file, status and mode at the top, for a person", () => {
    const text = summaryText(workbook);
    expect(text.slice(0, 4)).toEqual([
      "Import report",
      "File | katalog.xlsx",
      "Status | validated: ready to commit (nothing is written yet)",
      "Mode | smart: the categories, series and brands the catalog lacks are created",
    ]);
    expect(text).toContain("Uploaded by | ops@example.com");
    expect(text).toContain("Uploaded at | 2024-05-01T10:00:00.000Z");
  });

  it("Summary: rows, the create / update / unchanged table, and what commit applied", () => {
    const text = summaryText(workbook);
    expect(text).toContain("Rows in the file | 4");
    expect(text).toContain("with errors (left out of the commit) | 1");
    const planned = text.indexOf("Planned | create | update | unchanged");
    expect(text.slice(planned, planned + 3)).toEqual([
      "Planned | create | update | unchanged",
      "Products | 2 | 1 | 0",
      "Variants | 2 | 0 | 1",
    ]);
    const applied = text.indexOf("Applied by commit | create | update | unchanged");
    expect(applied).toBeGreaterThan(planned);
    expect(text[applied + 1]).toBe("Products | 2 | 1 | 0");
  });

  it("Summary: candidates with a few names each", () => {
    const text = summaryText(workbook);
    expect(text).toContain("Categories | 1 | Pişirme Ekipmanları");
    expect(text).toContain("Series | 1 | 600 Serisi");
    expect(text).toContain("Brands | 1 | Kuzina");
  });

  it("Summary: errors and warnings by code, each with its count and what it means", () => {
    const text = summaryText(workbook);
    const errors = text.indexOf("Errors | count | what it means");
    expect(text.slice(errors, errors + 3)).toEqual([
      "Errors | count | what it means",
      "INVALID_PRICE | 1 | The price is not a number in an accepted format.",
      "REQUIRED_VALUE_MISSING | 1 | A required cell is empty.",
    ]);
    const warnings = text.indexOf("Warnings | count | what it means");
    expect(text.slice(warnings, warnings + 3)).toEqual([
      "Warnings | count | what it means",
      "MODEL_CODE_DISAMBIGUATED | 1 | A repeated model code was renamed.",
      "UNKNOWN_COLUMN | 1",
    ]);
    expect(text).toContain('Columns ignored (not in the Data sheet): "warranty_years"');
  });

  it("Summary: what commit did, with the database check", () => {
    const text = summaryText(workbook);
    expect(text.slice(text.indexOf("Commit") + 1)).toEqual([
      "Commit created 2 products and 2 variants, updated 1 product and 0 variants, left 0 products and 1 variant unchanged and added 1 category, 1 series and 1 brand to the catalog.",
      "Database check (db_verify): all 2 created products and 2 created variants were found in the database.",
      "1 row with errors was left out: fix the marked cells in the Data sheet and upload this file again; the rows already committed plan no change.",
    ]);
  });

  it("Summary: the machine-readable values sit under a defined name, below what people read", async () => {
    const raw = await readRawReport(file);
    const names = /<definedName name="summary_values"[^>]*>([^<]*)<\/definedName>/.exec(
      raw.workbookXml,
    );
    expect(names?.[1]).toMatch(/^Summary!\$A\$\d+:\$E\$\d+$/);
    const lines = summaryLines(workbook);
    expect(lines[0]).toEqual<SummaryLine>(["job", "status", "validated"]);
    expect(lines.at(-1)).toEqual<SummaryLine>([
      "header_warning",
      "warranty_years",
      "Unknown column warranty_years is ignored",
    ]);
  });

  it("Summary: job facts, every preview count as a number, result and db_verify", () => {
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
    const lines = summaryLines(workbook).filter(([section]) =>
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
    const sections = summaryLines(workbook).map(([section]) => section);
    expect(sections).not.toContain("failure");
  });

  it("Issues: every issue with the file's row, the Data sheet's row and cell, and its values", () => {
    const sheet = sheetNamed(workbook, "Issues");
    expect(rowValues(sheet, 1, 8)).toEqual([
      "file row",
      "Data row",
      "cell",
      "column",
      "code",
      "severity",
      "message",
      "value",
    ]);
    const rows = rowsFrom(sheet, 2, 8);
    expect(rows.map((row) => [row[0], row[1]])).toEqual([
      [1, null],
      [3, 3],
      [3, 3],
      [4, 4],
    ]);
    expect(rows.map((row) => row.slice(3))).toEqual(
      [...sampleModel().issues].map((issue) => [
        issue.column,
        issue.code,
        issue.severity,
        issue.message,
        issue.value,
      ]),
    );
  });

  it("Issues: each issue on a data row links to its Data sheet cell, as a cell hyperlink", async () => {
    // exceljs's reader keeps only a link's text when the link is to a location.
    const sheet = sheetNamed(workbook, "Issues");
    expect([2, 3, 4, 5].map((row) => sheet.getCell(`C${row}`).value)).toEqual([
      null,
      "F3",
      "D3",
      "E4",
    ]);
    // Stored as links to a location in the workbook: no formula, no relationship.
    const raw = await readRawReport(file);
    const xml = raw.sheetXml("Issues");
    expect([...xml.matchAll(/<hyperlink [^>]*\/>/g)].map(([tag]) => tag)).toEqual([
      '<hyperlink ref="C3" location="Data!F3"/>',
      '<hyperlink ref="C4" location="Data!D3"/>',
      '<hyperlink ref="C5" location="Data!E4"/>',
    ]);
    expect(xml).not.toMatch(/<f[\s>]/);
    const rels = raw.sheetPath("Issues").replace(/([^/]+)$/, "_rels/$1.rels");
    expect(raw.partNames).not.toContain(rels);
    expect(raw.partNames).toContain(raw.sheetPath("Issues"));
  });

  it("Issues: error severity cells are filled red, warnings amber", () => {
    const sheet = sheetNamed(workbook, "Issues");
    const fills = [2, 3, 4, 5].map((row) => fillOf(sheet.getRow(row).getCell(6)));
    expect(fills).toEqual(["FFFFEB9C", "FFFFC7CE", "FFFFC7CE", "FFFFEB9C"]);
    expect(sheet.getRow(3).getCell(6).font?.color?.argb).toBe("FF9C0006");
  });

  it("Data: the header as given, then every row's cells, all as text", () => {
    const sheet = sheetNamed(workbook, "Data");
    expect(rowValues(sheet, 1, HEADER.length)).toEqual(HEADER);
    const rows = rowsFrom(sheet, 2, HEADER.length);
    expect(rows).toEqual([...sampleModel().data.rows].map((row) => row.cells));
    // Prices and codes stay text: "1234.50" keeps its zero, "00123" its leading zeros.
    expect(sheet.getCell("F2").value).toBe("1234.50");
    expect(sheet.getCell("E5").value).toBe("00123");
    expect(sheet.getCell("G5").value).toBe("6010");
  });

  it("Data: each cell with an issue is filled by severity and noted with the message", () => {
    expect(dataMarks(workbook)).toEqual([
      {
        ref: "D3",
        fill: "FFFFC7CE",
        note: "REQUIRED_VALUE_MISSING: title_tr or title_en is required",
      },
      { ref: "F3", fill: "FFFFC7CE", note: "INVALID_PRICE: Price 1,23.45 is not a number" },
      {
        ref: "E4",
        fill: "FFFFEB9C",
        note: "MODEL_CODE_DISAMBIGUATED: GKO-6010 also on row 2: renamed GKO-6010-2",
      },
    ]);
    // The cell in error keeps what the file had.
    expect(sheetNamed(workbook, "Data").getCell("F3").value).toBe("1,23.45");
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
