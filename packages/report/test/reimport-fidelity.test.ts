/**
 * The Data sheet is re-import ready (SPEC §9): read by the service's own reader it
 * gives back the header and every cell exactly, including text that exceljs's readers
 * would decode twice from an inline cell (`R&amp;D`), edge spaces, leading zeros and
 * two-decimal prices.
 */
import { readRows } from "@catalog/readers";
import { type ReportModel, writeReport } from "@catalog/report";
import { loadWorkbook, readRawReport, rowsFrom, sheetNamed } from "./support/read-report";
import { sampleModel } from "./support/sample-model";
import { makeTempDir } from "./support/temp-dir";

const HEADER = ["category", "title_tr", "model_code", "price", "spec:Not"];

const ROWS: (string | null)[][] = [
  ["R&amp;D", "Fish &lt;b&gt;chips&lt;/b&gt;", "GKO-1", "1234.50", "&quot;x&quot; &apos;y&apos;"],
  ["Pişirme", "Izgara 4 Gözlü", "00123", "0.10", "  edge spaces  "],
  ["A & B < C > D \" '", "İçecek ŞİŞE ğüöç", "6010", null, "emoji 🍳 & &#38;"],
  ["plain", null, "X-9", "99999999.99", "line\nbreak\ttab"],
];

function fidelityModel(): ReportModel {
  return {
    ...sampleModel(),
    data: { header: HEADER, rows: ROWS.map((cells, index) => ({ row: index + 2, cells })) },
  };
}

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let file: string;
beforeAll(async () => {
  temp = await makeTempDir();
  file = temp.file("fidelity.xlsx");
  await writeReport(fidelityModel(), file);
});
afterAll(() => temp.remove());

describe("Data sheet re-import", () => {
  it("reads back through @catalog/readers as the same header and cells", async () => {
    const rows = await readRows(file);
    expect(rows.map((row) => row.row)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]?.cells).toEqual(HEADER);
    ROWS.forEach((cells, index) => {
      const read = rows[index + 1]?.cells ?? [];
      // The reader drops trailing empty cells; the rest is compared cell by cell.
      expect(cells.map((_, column) => read[column] ?? null)).toEqual(cells);
    });
  });

  it("reads back through exceljs's full reader the same way", async () => {
    const data = sheetNamed(await loadWorkbook(file), "Data");
    expect(rowsFrom(data, 2, HEADER.length)).toEqual(ROWS);
  });

  it("sends only rows with entity-like text through shared strings", async () => {
    const raw = await readRawReport(file);
    expect(raw.cell("Data", "A2").type).toBe("s"); // R&amp;D
    expect(raw.cell("Data", "A3").type).toBe("str"); // plain text
    // `&#38;` is not a named entity, which is all exceljs decodes again: inline is safe.
    expect(raw.cell("Data", "A4").type).toBe("str");
    expect(raw.cell("Data", "A4").text).toBe("A & B < C > D \" '");
    expect(raw.cell("Data", "A5").type).toBe("str");
  });
});
