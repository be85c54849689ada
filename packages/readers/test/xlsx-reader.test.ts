import { readRows } from "@catalog/readers";
import ExcelJS from "exceljs";
import { makeTempDir } from "./support/paths";
import { inlineRow, inOrder, workbookParts } from "./support/workbook-parts";
import { readZipEntries, writeZip } from "./support/zip-file";

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(() => temp.remove());

/** Writes a workbook with exceljs's (non-streaming) writer; `build` adds its sheets. */
async function writeWorkbook(name: string, build: (workbook: ExcelJS.Workbook) => void) {
  const workbook = new ExcelJS.Workbook();
  build(workbook);
  const file = temp.file(name);
  await workbook.xlsx.writeFile(file);
  return file;
}

describe("XLSX sheet choice", () => {
  it("takes the sheet named Data when it is not the first", async () => {
    const file = await writeWorkbook("data-second.xlsx", (workbook) => {
      workbook.addWorksheet("Notes").addRow(["read me first"]);
      workbook.addWorksheet("Data").addRow(["category", "model_code"]);
    });
    const rows = await readRows(file);
    expect(rows).toEqual([{ row: 1, cells: ["category", "model_code"] }]);
  });

  it("takes the first sheet when none is named Data", async () => {
    const file = await writeWorkbook("no-data.xlsx", (workbook) => {
      workbook.addWorksheet("Katalog").addRow(["first"]);
      workbook.addWorksheet("Other").addRow(["second"]);
    });
    expect(await readRows(file)).toEqual([{ row: 1, cells: ["first"] }]);
  });

  it("matches a lower-case data tab (Excel's sheet names ignore case)", async () => {
    const file = await writeWorkbook("lower-data.xlsx", (workbook) => {
      workbook.addWorksheet("Notes").addRow(["notes"]);
      workbook.addWorksheet("data").addRow(["data"]);
    });
    expect(await readRows(file)).toEqual([{ row: 1, cells: ["data"] }]);
  });

  // Data is the second tab but its part is sheet1.xml, so neither "the first part met"
  // nor "the part numbered 1" would be right: only the workbook's own list is.
  const sheets = [
    { name: "Notes", sheetData: inlineRow(1, ["notes"]), path: "xl/worksheets/sheet2.xml" },
    { name: "Data", sheetData: inlineRow(1, ["data"]), path: "xl/worksheets/sheet1.xml" },
  ];
  const parts = workbookParts(sheets, { sharedStrings: ["unused"] });
  const orders: [string, string[]][] = [
    [
      "openpyxl-like: sheets first, workbook.xml and rels after them",
      [
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
      ],
    ],
    [
      "LibreOffice-like: workbook.xml, sheets, then shared strings and rels",
      [
        "xl/workbook.xml",
        "xl/worksheets/sheet2.xml",
        "xl/worksheets/sheet1.xml",
        "xl/sharedStrings.xml",
      ],
    ],
    [
      "exceljs-like: rels and sheets, shared strings, workbook.xml last",
      [
        "xl/_rels/workbook.xml.rels",
        "xl/worksheets/sheet1.xml",
        "xl/sharedStrings.xml",
        "xl/workbook.xml",
      ],
    ],
    [
      "rels and shared strings, the sheet, workbook.xml last (exceljs alone crashes on it)",
      [
        "xl/_rels/workbook.xml.rels",
        "xl/sharedStrings.xml",
        "xl/worksheets/sheet1.xml",
        "xl/workbook.xml",
      ],
    ],
    [
      "workbook parts first",
      [
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/sharedStrings.xml",
        "xl/worksheets/sheet1.xml",
      ],
    ],
  ];
  it.each(orders)("takes Data in zip order %s", async (label, order) => {
    const file = temp.file(`order-${orders.findIndex(([l]) => l === label)}.xlsx`);
    await writeZip(file, inOrder(parts, order));
    expect(await readRows(file)).toEqual([{ row: 1, cells: ["data"] }]);
  });

  it("takes the first tab by workbook order, not by part name or zip order", async () => {
    const file = temp.file("first-tab.xlsx");
    const reversed = workbookParts([
      { name: "Zweite", sheetData: inlineRow(1, ["first tab"]), path: "xl/worksheets/sheet2.xml" },
      { name: "Erste", sheetData: inlineRow(1, ["second tab"]), path: "xl/worksheets/sheet1.xml" },
    ]);
    await writeZip(
      file,
      inOrder(reversed, ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"]),
    );
    expect(await readRows(file)).toEqual([{ row: 1, cells: ["first tab"] }]);
  });

  it("follows absolute relationship targets and part names exceljs does not know", async () => {
    const file = temp.file("odd-parts.xlsx");
    const odd = workbookParts(
      [
        { name: "Notes", sheetData: inlineRow(1, ["notes"]), path: "xl/worksheets/notes.xml" },
        { name: "Data", sheetData: inlineRow(3, ["data"]), path: "xl/worksheets/data-sheet.xml" },
      ],
      { absoluteTargets: true },
    );
    await writeZip(file, odd);
    expect(await readRows(file)).toEqual([{ row: 3, cells: ["data"] }]);
  });

  it("reorders a real exceljs-written workbook without changing what is read", async () => {
    const source = await writeWorkbook("to-reorder.xlsx", (workbook) => {
      workbook.addWorksheet("Other").addRow(["other"]);
      const data = workbook.addWorksheet("Data");
      data.addRow(["category", "price"]);
      data.addRow(["Fırınlar", 12.5]);
    });
    const entries = await readZipEntries(source);
    const file = temp.file("reordered.xlsx");
    await writeZip(file, [...entries].reverse());
    const expected = [
      { row: 1, cells: ["category", "price"] },
      { row: 2, cells: ["Fırınlar", 12.5] },
    ];
    expect(await readRows(source)).toEqual(expected);
    expect(await readRows(file)).toEqual(expected);
  });
});

describe("XLSX cell values", () => {
  it("gives cached formula results, dates, rich text, booleans, errors and link text", async () => {
    const file = await writeWorkbook("values.xlsx", (workbook) => {
      const sheet = workbook.addWorksheet("Data");
      sheet.addRow(["formula", "text formula", "date", "rich", "bool", "error", "link", "number"]);
      const row = sheet.getRow(2);
      row.getCell(1).value = { formula: "A5*2", result: 84 };
      row.getCell(2).value = { formula: '"a"&"b"', result: "ab" };
      row.getCell(3).value = new Date(Date.UTC(2024, 0, 15));
      row.getCell(4).value = {
        richText: [{ text: "Güç ", font: { bold: true } }, { text: "yüksek" }],
      };
      row.getCell(5).value = true;
      row.getCell(6).value = { error: "#N/A" } as ExcelJS.CellErrorValue;
      row.getCell(7).value = { text: "site", hyperlink: "https://example.com" };
      row.getCell(8).value = 6010;
      row.commit();
    });
    const [, values] = await readRows(file);
    expect(values?.row).toBe(2);
    expect(values?.cells).toEqual([
      84,
      "ab",
      new Date(Date.UTC(2024, 0, 15)),
      "Güç yüksek",
      true,
      "#N/A",
      "site",
      6010,
    ]);
  });

  it("returns null for a formula without a cached result (never evaluates it)", async () => {
    const file = temp.file("uncalculated.xlsx");
    const sheetData = `${inlineRow(1, ["a", "b"])}<row r="2"><c r="A2"><v>1</v></c><c r="B2"><f>A2+1</f></c><c r="C2" t="s"><v>0</v></c></row>`;
    await writeZip(
      file,
      workbookParts([{ name: "Data", sheetData }], { sharedStrings: ["shared"] }),
    );
    const rows = await readRows(file);
    expect(rows[1]).toEqual({ row: 2, cells: [1, null, "shared"] });
  });

  it("keeps true sheet row numbers over missing and blank rows", async () => {
    const file = temp.file("gaps.xlsx");
    const sheetData = [
      inlineRow(2, ["header"]),
      '<row r="3"></row>',
      inlineRow(4, ["  "]),
      inlineRow(7, [null, "x"]),
    ].join("");
    await writeZip(file, workbookParts([{ name: "Data", sheetData }]));
    expect(await readRows(file)).toEqual([
      { row: 2, cells: ["header"] },
      { row: 7, cells: [null, "x"] },
    ]);
  });

  it("returns a __proto__ header as a plain string cell", async () => {
    const file = temp.file("proto.xlsx");
    const sheetData = inlineRow(1, ["__proto__", "constructor"]) + inlineRow(2, ["x", "y"]);
    await writeZip(file, workbookParts([{ name: "Data", sheetData }]));
    const rows = await readRows(file);
    expect(rows[0]?.cells).toEqual(["__proto__", "constructor"]);
    expect(Array.isArray(rows[0]?.cells)).toBe(true);
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
  });

  it("decodes UTF-8 text that crosses exceljs's chunk boundaries intact", async () => {
    // Thousands of two- and three-byte characters: some zip chunks end inside one.
    const word = "Şişirme ĞÜÇ ıİ €";
    const strings = Array.from({ length: 4000 }, (_, i) => `${word} ${i}`);
    const file = temp.file("turkish-chunks.xlsx");
    const sheetData = strings.map(
      (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="s"><v>${i}</v></c></row>`,
    );
    const parts = workbookParts([{ name: "Data", sheetData: sheetData.join("") }], {
      sharedStrings: strings,
    });
    await writeZip(file, parts);
    const rows = await readRows(file);
    expect(rows).toHaveLength(4000);
    expect(rows.filter((row, i) => row.cells[0] !== strings[i])).toEqual([]);
  });
});
