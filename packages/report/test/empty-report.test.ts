import { writeReport } from "@catalog/report";
import {
  loadWorkbook,
  rowValues,
  sheetNamed,
  summaryLines,
  summaryText,
} from "./support/read-report";
import { emptyModel, HEADER } from "./support/sample-model";
import { makeTempDir } from "./support/temp-dir";

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(() => temp.remove());

describe("a report with nothing to list", () => {
  it("still writes all five sheets, each with its header row only", async () => {
    const file = temp.file("empty.xlsx");
    expect(await writeReport(emptyModel(), file)).toEqual({
      rows: 0,
      markedRows: 0,
      issues: 0,
      candidates: 0,
      normalization: 0,
    });
    const workbook = await loadWorkbook(file);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      "Summary",
      "Issues",
      "Data",
      "Candidates",
      "Normalization",
    ]);
    const headers: [string, unknown[]][] = [
      [
        "Issues",
        ["file row", "Data row", "cell", "column", "code", "severity", "message", "value"],
      ],
      ["Data", HEADER],
      ["Candidates", ["type", "slug", "name", "category", "rows"]],
      ["Normalization", ["row", "column", "kind", "from", "to"]],
    ];
    for (const [name, header] of headers) {
      const sheet = sheetNamed(workbook, name);
      expect(sheet.rowCount).toBe(1);
      expect(rowValues(sheet, 1, header.length)).toEqual(header);
      expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
      expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    }
  });

  it("shows the failure and no result or db_verify in the Summary", async () => {
    const file = temp.file("failed.xlsx");
    await writeReport(emptyModel(), file);
    const workbook = await loadWorkbook(file);
    const text = summaryText(workbook);
    expect(text).toContain("Status | failed: MISSING_COLUMN");
    expect(text).toContain("Errors | count | what it means");
    expect(text.slice(text.indexOf("Commit") + 1)).toEqual([
      "The job failed (MISSING_COLUMN): missing column: model_code",
      "Nothing was written to the catalog.",
    ]);
    expect(text.some((line) => line.startsWith("Applied by commit"))).toBe(false);
    const lines = summaryLines(workbook);
    expect(lines).toContainEqual(["job", "status", "failed"]);
    expect(lines).toContainEqual(["failure", "code", "MISSING_COLUMN"]);
    expect(lines).toContainEqual(["failure", "message", "missing column: model_code"]);
    expect(lines).toContainEqual(["preview", "rows_total", 0]);
    const sections = new Set(lines.map(([section]) => section));
    expect(sections.has("result")).toBe(false);
    expect(sections.has("db_verify")).toBe(false);
    expect(sections.has("errors")).toBe(false);
  });

  it("writes an empty Data sheet, without a filter, when there is no header at all", async () => {
    const file = temp.file("no-header.xlsx");
    const model = emptyModel();
    await writeReport({ ...model, data: { header: [], rows: [] } }, file);
    const data = sheetNamed(await loadWorkbook(file), "Data");
    expect(data.rowCount).toBe(0);
    expect(data.autoFilter).toBeUndefined();
  });
});
