import { readFile } from "node:fs/promises";
import { sniffFileKind } from "@catalog/readers";
import iconv from "iconv-lite";
import { fixture } from "./support/paths";

const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
const JPEG = Buffer.from("ffd8ffe000104a46494600", "hex");
const PDF = Buffer.from("%PDF-1.7\n%âãÏÓ\n1 0 obj\n", "latin1");
const GIF = Buffer.from("GIF89a\x01\x00\x01\x00", "latin1");
const OLE2_XLS = Buffer.from("d0cf11e0a1b11ae1", "hex");
const UTF8_CSV = Buffer.from("\uFEFFcategory,title_tr\nPişirme,Gazlı Ocak\n");
const CP1254_CSV = iconv.encode("Kategori;Başlık\nIşık;Güç ğüşıöç\n", "windows-1254");

describe("sniffFileKind", () => {
  it("takes a real XLSX by its zip header and name", async () => {
    const head = (await readFile(fixture("01_base.xlsx"))).subarray(0, 512);
    expect(sniffFileKind(head, "01_base.xlsx")).toBe("xlsx");
    expect(sniffFileKind(head, "KATALOG.XLSX")).toBe("xlsx");
    expect(sniffFileKind(head, "upload")).toBe("xlsx");
  });

  it("refuses a zip named as another format", async () => {
    const head = (await readFile(fixture("04_libreoffice.xlsx"))).subarray(0, 512);
    expect(sniffFileKind(head, "report.docx")).toBeNull();
    expect(sniffFileKind(head, "archive.zip")).toBeNull();
    expect(sniffFileKind(head, "catalog.csv")).toBeNull();
  });

  it("takes UTF-8 and Windows-1254 text named .csv, .txt or with no extension", () => {
    expect(sniffFileKind(UTF8_CSV, "02_update.csv")).toBe("csv");
    expect(sniffFileKind(CP1254_CSV, "03_turkish.CSV")).toBe("csv");
    expect(sniffFileKind(CP1254_CSV, "export.txt")).toBe("csv");
    expect(sniffFileKind(UTF8_CSV, "export")).toBe("csv");
  });

  it("refuses text named as another format", () => {
    expect(sniffFileKind(UTF8_CSV, "catalog.xlsx")).toBeNull();
    expect(sniffFileKind(UTF8_CSV, "data.json")).toBeNull();
  });

  it.each([
    ["PNG", PNG, "photo.csv"],
    ["PNG renamed .xlsx", PNG, "catalog.xlsx"],
    ["JPEG", JPEG, "photo.csv"],
    ["PDF (printable bytes, known magic)", PDF, "catalog.csv"],
    ["GIF", GIF, "image.txt"],
    ["old .xls (OLE2)", OLE2_XLS, "catalog.csv"],
    ["UTF-16 text (NUL bytes)", Buffer.from("\uFEFFa,b\n", "utf16le"), "catalog.csv"],
    ["control bytes", Buffer.from([0x61, 0x2c, 0x01, 0x02, 0x0a]), "catalog.csv"],
    ["an empty head", Buffer.alloc(0), "catalog.csv"],
    ["an empty head without extension", Buffer.alloc(0), "catalog"],
  ])("refuses %s", (_, head, name) => {
    expect(sniffFileKind(head, name)).toBeNull();
  });
});
