/**
 * SPEC §9: text from user data that starts with `=`, `+`, `-` or `@` is written as text,
 * never as a formula, and kept exactly as written (the Data sheet must re-import to the
 * same values, so no apostrophe or other prefix either).
 */
import { type ReportModel, writeReport } from "@catalog/report";
import ExcelJS from "exceljs";
import {
  loadWorkbook,
  noteText,
  type RawReport,
  readRawReport,
  sheetNamed,
  summaryValue,
} from "./support/read-report";
import { HEADER, sampleModel } from "./support/sample-model";
import { makeTempDir } from "./support/temp-dir";

const PAYLOADS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)"] as const;

/** The sample model with every payload in each place user text reaches. */
function injectedModel(): ReportModel {
  const model = sampleModel();
  return {
    ...model,
    job: { ...model.job, fileName: "=cmd|' /C calc'!A0", createdBy: "@evil" },
    failure: { code: "=FAIL()", message: "+1+1" },
    issues: PAYLOADS.map((payload, index) => ({
      row: index + 2,
      column: payload,
      code: "INVALID_PRICE",
      severity: "error" as const,
      message: payload,
      value: payload,
      dataCell: { row: index + 2, column: 0 },
    })),
    data: {
      header: ["=HEADER()", ...HEADER.slice(1)],
      rows: PAYLOADS.map((payload, index) => ({
        row: index + 2,
        cells: [payload, payload, null, "Fırın", `GKO-${index}`, "-1.00", payload],
        marks: [{ column: 0, severity: "error" as const, code: payload, message: payload }],
      })),
    },
    candidates: {
      categories: PAYLOADS.map((payload, index) => ({
        slug: payload,
        name: payload,
        rows: [index + 2],
      })),
      series: [{ slug: "+s", name: "-s", category_slug: "=c", rows: [2] }],
      brands: [],
    },
    normalization: PAYLOADS.map((payload, index) => ({
      row: index + 2,
      column: "title_tr",
      kind: "trim",
      from: ` ${payload} `,
      to: payload,
    })),
  };
}

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let raw: RawReport;
let workbook: ExcelJS.Workbook;

beforeAll(async () => {
  temp = await makeTempDir();
  const file = temp.file("injected.xlsx");
  await writeReport(injectedModel(), file);
  raw = await readRawReport(file);
  workbook = await loadWorkbook(file);
});
afterAll(() => temp.remove());

/** Cells (sheet, ref) that hold payload `index` of PAYLOADS. */
function payloadCells(index: number): [sheet: string, ref: string][] {
  const row = index + 2;
  return [
    ["Data", `A${row}`],
    ["Data", `B${row}`],
    ["Data", `G${row}`],
    ["Issues", `D${row}`], // column
    ["Issues", `G${row}`], // message
    ["Issues", `H${row}`], // value
    ["Candidates", `B${row}`], // slug
    ["Candidates", `C${row}`], // name
    ["Normalization", `E${row}`], // to
  ];
}

describe("formula injection", () => {
  it("no sheet of the report holds a formula at all", () => {
    expect(raw.sheetNames).toEqual(["Summary", "Issues", "Data", "Candidates", "Normalization"]);
    for (const name of raw.sheetNames) expect(raw.sheetXml(name)).not.toMatch(/<f[\s>]/);
  });

  it.each(PAYLOADS.map((payload, index) => [payload, index] as const))(
    "%s is stored as a string cell with the exact text, in every sheet",
    (payload, index) => {
      for (const [sheet, ref] of payloadCells(index)) {
        const cell = raw.cell(sheet, ref);
        expect({ sheet, ref, type: cell.type, text: cell.text }).toEqual({
          sheet,
          ref,
          type: expect.stringMatching(/^(s|str|inlineStr)$/),
          text: payload,
        });
        expect(cell.xml).not.toContain("<f");
      }
    },
  );

  it.each(PAYLOADS.map((payload, index) => [payload, index] as const))(
    "%s reads back with exceljs as a String cell holding the exact text",
    (payload, index) => {
      for (const [sheet, ref] of payloadCells(index)) {
        const cell = sheetNamed(workbook, sheet).getCell(ref);
        expect({ sheet, ref, type: cell.type, value: cell.value, formula: cell.formula }).toEqual({
          sheet,
          ref,
          type: ExcelJS.ValueType.String,
          value: payload,
          formula: undefined,
        });
      }
    },
  );

  it("the file name, creator, Data header, series fields and normalization 'from' stay text", () => {
    const summary = sheetNamed(workbook, "Summary");
    expect(summary.getColumn(2).values).toContain("=cmd|' /C calc'!A0");
    expect(summary.getColumn(2).values).toContain("@evil");
    expect(summaryValue(workbook, "job", "file_name")).toBe("=cmd|' /C calc'!A0");
    expect(summaryValue(workbook, "failure", "code")).toBe("=FAIL()");
    const header = raw.cell("Data", "A1");
    expect([header.type, header.text]).toEqual(["str", "=HEADER()"]);
    const series = sheetNamed(workbook, "Candidates").getRow(6);
    expect([2, 3, 4].map((column) => series.getCell(column).value)).toEqual(["+s", "-s", "=c"]);
    expect(sheetNamed(workbook, "Normalization").getCell("D2").value).toBe(` ${PAYLOADS[0]} `);
    expect(sheetNamed(workbook, "Data").getCell("F2").value).toBe("-1.00");
    expect(sheetNamed(workbook, "Data").getCell("F2").type).toBe(ExcelJS.ValueType.String);
  });

  it("a Data sheet note made of user text is the exact text", () => {
    const data = sheetNamed(workbook, "Data");
    PAYLOADS.forEach((payload, index) => {
      expect(noteText(data.getCell(`A${index + 2}`))).toBe(`${payload}: ${payload}`);
    });
  });

  it("a formula-shaped object slipped into user data is written as its text, not as a formula", async () => {
    const model = sampleModel();
    const smuggled = { formula: "1+1", result: 2 } as unknown as string;
    const file = temp.file("smuggled.xlsx");
    await writeReport(
      { ...model, data: { header: ["a"], rows: [{ row: 2, cells: [smuggled] }] } },
      file,
    );
    const smuggledRaw = await readRawReport(file);
    expect(smuggledRaw.sheetXml("Data")).not.toMatch(/<f[\s>]/);
    expect(smuggledRaw.cell("Data", "A2").text).toBe("[object Object]");
  });
});
