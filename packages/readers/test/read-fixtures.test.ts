import { existsSync } from "node:fs";
import { readRows } from "@catalog/readers";
import ExcelJS from "exceljs";
import type * as TmpModule from "tmp";
import { FIXTURES_DIR, fixture } from "./support/paths";

/** exceljs's temp-file module itself (an ES namespace import would be a copy a spy cannot reach). */
const tmp = jest.requireActual<typeof TmpModule>("tmp");

/** The catalog fixtures, written by openpyxl, LibreOffice Calc and Excel-style CSV exports. */
describe("readRows on the shared fixtures", () => {
  it("finds the fixtures folder", () => {
    expect(existsSync(fixture("01_base.xlsx"))).toBe(true);
    expect(FIXTURES_DIR).toMatch(/test[\\/]fixtures$/);
  });

  describe("01_base.xlsx (openpyxl: inline strings, workbook.xml after the sheet)", () => {
    it("reads the header, every row with its sheet number, text and numbers", async () => {
      const rows = await readRows(fixture("01_base.xlsx"));
      expect(rows).toHaveLength(28);
      expect(rows.map((row) => row.row)).toEqual(Array.from({ length: 28 }, (_, i) => i + 1));
      expect(rows[0]?.cells).toEqual([
        "category",
        "series",
        "brand",
        "title_tr",
        "title_en",
        "model_code",
        "dimensions",
        "price",
        "spec:Güç (kW)",
        "spec:Gaz Tipi",
        "spec:Ağırlık (kg)",
        "spec:Voltaj",
        "spec:Hazne (L)",
      ]);
      expect(rows[1]).toEqual({
        row: 2,
        cells: [
          "Pişirme Ekipmanları",
          "600 Serisi",
          "Kuzina",
          "Gazlı Ocak 4 Gözlü Model 0",
          "Gas Range 4 Burner Model 0",
          "GKO-6000",
          "600x700x850 mm",
          11792.88,
          "22.3",
        ],
      });
    });

    it("never parks the sheet in a temp file (exceljs does for sheets met before shared strings)", async () => {
      const tempFile = jest.spyOn(tmp, "file");
      try {
        await readRows(fixture("01_base.xlsx"));
        await readRows(fixture("04_libreoffice.xlsx"));
        expect(tempFile).not.toHaveBeenCalled();
        // The control: exceljs on the file itself does park the openpyxl sheet.
        const direct = new ExcelJS.stream.xlsx.WorkbookReader(fixture("01_base.xlsx"), {});
        for await (const sheet of direct) for await (const _row of sheet);
        expect(tempFile).toHaveBeenCalled();
      } finally {
        tempFile.mockRestore();
      }
    });
  });

  describe("04_libreoffice.xlsx (shared strings after the sheet, numbers as numeric cells)", () => {
    it("keeps numbers as numbers and text as text", async () => {
      const rows = await readRows(fixture("04_libreoffice.xlsx"));
      expect(rows).toHaveLength(9);
      expect(rows[0]?.cells).toEqual([
        "category",
        "series",
        "brand",
        "title_tr",
        "title_en",
        "model_code",
        "dimensions",
        "price",
        "spec:Kapasite (kg/saat)",
      ]);
      expect(rows[1]?.cells).toEqual([
        "Hazırlık Ekipmanları",
        "Hazırlık",
        "Kuzina",
        "Sebze Doğrama Makinesi",
        "Vegetable Cutter",
        7001,
        "300x400x500",
        2500,
        100,
      ]);
      expect(rows[2]?.cells[7]).toBe(2600.5);
      expect(rows[7]).toMatchObject({ row: 8, cells: expect.arrayContaining([7007, "N/A"]) });
      expect(rows[7]?.cells[7]).toBe("N/A");
      expect(rows.map((row) => row.row)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });
  });

  describe("05_errors.xlsx (openpyxl, 50+ spec columns, missing cells)", () => {
    it("leaves missing cells null and keeps their column positions", async () => {
      const rows = await readRows(fixture("05_errors.xlsx"));
      expect(rows).toHaveLength(7);
      expect(rows[0]?.cells[8]).toBe("warranty_years");
      expect(rows[1]).toMatchObject({ row: 2 });
      expect(rows[1]?.cells.slice(0, 3)).toEqual([null, "Eco Line", "Örnek Mutfak"]);
      expect(rows[3]?.cells[7]).toBe(-5);
      expect(rows[4]?.cells[5]).toBe("X".repeat(101));
      expect(rows[6]?.cells[13]).toBe("0");
    });
  });

  describe("02_update.csv (UTF-8 with BOM, comma)", () => {
    it("strips the BOM and reads every record as strings", async () => {
      const rows = await readRows(fixture("02_update.csv"));
      expect(rows).toHaveLength(20);
      expect(rows[0]?.cells[0]).toBe("category");
      expect(rows[0]?.cells[8]).toBe("spec:Güç (kW)");
      expect(rows[1]).toEqual({
        row: 2,
        cells: [
          "Pişirme Ekipmanları",
          "600 Serisi",
          "Kuzina",
          "Gazlı Ocak 4 Gözlü Model 0",
          "Gas Range 4 Burner Model 0",
          "GKO-6000",
          "600x700x850 mm",
          "12972.17",
          "22.3",
        ],
      });
    });
  });

  describe("03_turkish.csv (Windows-1254, semicolons, decimal commas)", () => {
    it("decodes Turkish letters and splits on ; not on the decimal commas", async () => {
      const rows = await readRows(fixture("03_turkish.csv"));
      expect(rows).toHaveLength(8);
      expect(rows[0]?.cells.slice(0, 3)).toEqual(["Kategori", "Seri", "Marka"]);
      expect(rows[0]?.cells[8]).toBe("spec:Güç (kW)");
      expect(rows[1]?.cells[0]).toBe("Pişirme Ekipmanları");
      expect(rows[1]?.cells[7]).toBe("15.279,29");
      expect(rows[2]?.cells[0]).toBe("Soğutma Ekipmanları");
      expect(rows[4]?.cells[3]).toBe("Buzdolabı 8 Gözlü Model 32");
    });
  });

  describe("07_updates.csv (quoted commas, an all-empty record)", () => {
    it("keeps a quoted field whole and numbers records past the blank one", async () => {
      const rows = await readRows(fixture("07_updates.csv"));
      expect(rows[4]).toMatchObject({ row: 5 });
      expect(rows[4]?.cells[8]).toBe("600x700x850 mm, paslanmaz çelik gövde, ayarlı ayaklar dahil");
      expect(rows[4]?.cells[9]).toBe("1.250,00");
      expect(rows[1]?.cells.slice(1, 4)).toEqual(["", "", ""]);
      const numbers = rows.map((row) => row.row);
      expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12]);
      expect(rows.find((row) => row.row === 10)?.cells.slice(0, 2)).toEqual(["-", "null"]);
    });
  });
});
