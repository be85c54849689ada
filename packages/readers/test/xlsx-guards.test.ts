import { readFile, writeFile } from "node:fs/promises";
import { deflateRawSync } from "node:zlib";
import { DEFAULT_READ_LIMITS, readRows } from "@catalog/readers";
import { expectFatal } from "./support/expect-fatal";
import { fixture, makeTempDir } from "./support/paths";
import { columnName, inlineRow, workbookParts } from "./support/workbook-parts";
import { readZipEntries, writeZip, type ZipEntrySpec } from "./support/zip-file";

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(() => temp.remove());

const MiB = 1024 * 1024;

/** A one-sheet workbook ("Data") whose sheet part is replaced by `sheet`. */
function withSheet(sheet: Omit<ZipEntrySpec, "name">): ZipEntrySpec[] {
  return workbookParts([{ name: "Data", sheetData: "" }]).map((part) =>
    part.name === "xl/worksheets/sheet1.xml" ? { ...sheet, name: part.name } : part,
  );
}

async function zipFile(name: string, entries: ZipEntrySpec[]): Promise<string> {
  const file = temp.file(name);
  await writeZip(file, entries);
  return file;
}

describe("XLSX zip guards", () => {
  it("refuses a bomb by its declared size before inflating it", async () => {
    const size = DEFAULT_READ_LIMITS.maxUncompressedBytes + MiB;
    const deflated = deflateRawSync(Buffer.alloc(size));
    expect(deflated.length).toBeLessThan(200 * 1024);
    const file = await zipFile(
      "bomb.xlsx",
      withSheet({ data: Buffer.alloc(0), deflated, declaredSize: size }),
    );
    await expectFatal(readRows(file), "UNCOMPRESSED_SIZE_EXCEEDED");
  });

  it("counts every entry's declared size, not only the sheet's", async () => {
    const padding = { name: "xl/media/padding.bin", data: Buffer.alloc(2000) };
    const file = await zipFile("padded.xlsx", [
      ...withSheet({ data: Buffer.from(sheetXml(inlineRow(1, ["a"]))) }),
      padding,
    ]);
    await expect(readRows(file)).resolves.toHaveLength(1);
    await expectFatal(
      readRows(file, { limits: { maxUncompressedBytes: 2500 } }),
      "UNCOMPRESSED_SIZE_EXCEEDED",
    );
  });

  it("cuts off an entry that inflates past its declared size (a lying bomb)", async () => {
    // 50 MB of zeros, deflated to ~50 KB, declared as 1 KB: within every declared limit.
    const deflated = deflateRawSync(Buffer.alloc(50 * MiB));
    const file = await zipFile(
      "lying-bomb.xlsx",
      withSheet({ data: Buffer.alloc(0), deflated, declaredSize: 1024 }),
    );
    // The default limit (100 MiB) is above the 50 MiB this inflates to: only the
    // declared size, enforced while inflating, can have stopped it.
    const error = await expectFatal(readRows(file), "UNCOMPRESSED_SIZE_EXCEEDED");
    expect(error.message).toMatch(/xl\/worksheets\/sheet1\.xml/);
  });

  it("refuses an entry shorter than declared as truncated", async () => {
    const file = await zipFile(
      "short-entry.xlsx",
      withSheet({
        data: Buffer.from(sheetXml(inlineRow(1, ["a"]))),
        method: "store",
        declaredSize: 5000,
      }),
    );
    await expectFatal(readRows(file), "UNSUPPORTED_FILE");
  });

  it("refuses a truncated zip (01_base.xlsx cut in half)", async () => {
    const whole = await readFile(fixture("01_base.xlsx"));
    const file = temp.file("half.xlsx");
    await writeFile(file, whole.subarray(0, whole.length / 2));
    const error = await expectFatal(readRows(file, { fileName: "half.xlsx" }), "UNSUPPORTED_FILE");
    expect(error.message).toMatch(/^half\.xlsx: not a readable XLSX/);
  });

  it("refuses a PNG renamed .xlsx", async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from("0000000d49484452000000010000000108060000001f15c489", "hex"),
    ]);
    const file = temp.file("picture.xlsx");
    await writeFile(file, png);
    await expectFatal(readRows(file, { fileName: "picture.xlsx" }), "UNSUPPORTED_FILE");
  });

  it("refuses corrupt deflate data in the sheet without hanging", async () => {
    const entries = await readZipEntries(fixture("01_base.xlsx"));
    const broken = entries.map((entry): ZipEntrySpec => {
      if (entry.name !== "xl/worksheets/sheet1.xml") return entry;
      const deflated = Buffer.from(deflateRawSync(entry.data));
      deflated.fill(0, 100, 140);
      return { ...entry, deflated, declaredSize: entry.data.length };
    });
    const file = await zipFile("corrupt-deflate.xlsx", broken);
    const error = await expectFatal(readRows(file), "UNSUPPORTED_FILE");
    expect(error.message).toMatch(/corrupt .*invalid/);
  }, 10_000);

  it("refuses a sheet that is not well-formed XML", async () => {
    const file = await zipFile(
      "bad-xml.xlsx",
      withSheet({ data: Buffer.from("<worksheet><sheetData><row r=1><<") }),
    );
    await expectFatal(readRows(file), "UNSUPPORTED_FILE");
  }, 10_000);

  describe("a sheet part that ends before its closing tags (a well-formed zip of a cut XML)", () => {
    /** 01_base.xlsx re-zipped with its sheet XML cut by `cut`. */
    async function cutSheet(name: string, cut: (xml: string) => string): Promise<string> {
      const entries = await readZipEntries(fixture("01_base.xlsx"));
      return zipFile(
        name,
        entries.map((entry) =>
          entry.name === "xl/worksheets/sheet1.xml"
            ? { ...entry, data: Buffer.from(cut(entry.data.toString("utf8"))) }
            : entry,
        ),
      );
    }

    it("reads the sheet re-zipped whole (the fixture's 27 data rows)", async () => {
      const file = await cutSheet("whole.xlsx", (xml) => xml);
      expect((await readRows(file)).length).toBe(28);
    });

    it.each([
      ["inside the last row", (xml: string) => xml.slice(0, xml.lastIndexOf("</row>") - 10)],
      [
        "after the last row, before </sheetData>",
        (xml: string) => xml.slice(0, xml.indexOf("</sheetData>")),
      ],
      ["before </worksheet>", (xml: string) => xml.slice(0, xml.lastIndexOf("</worksheet>"))],
    ])("fails UNSUPPORTED_FILE when cut %s", async (_where, cut) => {
      const file = await cutSheet("cut.xlsx", cut);
      const error = await expectFatal(readRows(file), "UNSUPPORTED_FILE");
      expect(error.message).toMatch(/ends before its closing tags/);
    });
  });

  it("refuses a zip that is not a workbook", async () => {
    const file = await zipFile("plain.zip", [{ name: "hello.txt", data: Buffer.from("hello") }]);
    const error = await expectFatal(readRows(file), "UNSUPPORTED_FILE");
    expect(error.message).toMatch(/xl\/workbook\.xml/);
  });

  it("refuses a workbook without a worksheet, or whose sheet part is missing", async () => {
    const empty = workbookParts([]);
    await expectFatal(readRows(await zipFile("no-sheet.xlsx", empty)), "UNSUPPORTED_FILE");
    const missing = workbookParts([{ name: "Data", sheetData: "" }]).filter(
      (part) => part.name !== "xl/worksheets/sheet1.xml",
    );
    const error = await expectFatal(
      readRows(await zipFile("missing-part.xlsx", missing)),
      "UNSUPPORTED_FILE",
    );
    expect(error.message).toMatch(/"Data"/);
  });

  it("refuses a zip holding one name twice", async () => {
    const parts = workbookParts([{ name: "Data", sheetData: inlineRow(1, ["a"]) }]);
    const sheet = parts.find((part) => part.name === "xl/worksheets/sheet1.xml") as ZipEntrySpec;
    await expectFatal(readRows(await zipFile("twice.xlsx", [...parts, sheet])), "UNSUPPORTED_FILE");
  });
});

describe("XLSX row guards", () => {
  it("refuses a value past the column limit, even far out at XFD", async () => {
    const at201 = `<row r="1"><c r="${columnName(201)}1" t="inlineStr"><is><t>x</t></is></c></row>`;
    await expectFatal(readRows(await sheetFile("col201.xlsx", at201)), "TOO_MANY_COLUMNS");
    const atXfd = `<row r="1"><c r="XFD1"><v>1</v></c></row>`;
    await expectFatal(readRows(await sheetFile("xfd.xlsx", atXfd)), "TOO_MANY_COLUMNS");
    const at200 = `<row r="1"><c r="${columnName(200)}1"><v>1</v></c></row>`;
    await expect(readRows(await sheetFile("col200.xlsx", at200))).resolves.toHaveLength(1);
  });

  it("refuses a cell over the length limit", async () => {
    const long = inlineRow(1, ["ok", "x".repeat(DEFAULT_READ_LIMITS.maxCellChars + 1)]);
    const error = await expectFatal(readRows(await sheetFile("long.xlsx", long)), "CELL_TOO_LONG");
    expect(error.details).toMatchObject({ row: 1, column: 2 });
    const atLimit = inlineRow(1, ["x".repeat(DEFAULT_READ_LIMITS.maxCellChars)]);
    await expect(readRows(await sheetFile("at-limit.xlsx", atLimit))).resolves.toHaveLength(1);
  });

  it("allows maxDataRows rows under the header and refuses one more", async () => {
    const rows = (count: number) =>
      Array.from({ length: count }, (_, i) => inlineRow(i + 1, [`r${i}`])).join("");
    const limits = { maxDataRows: 3 };
    await expect(readRows(await sheetFile("four.xlsx", rows(4)), { limits })).resolves.toHaveLength(
      4,
    );
    await expectFatal(
      readRows(await sheetFile("five.xlsx", rows(5)), { limits }),
      "ROW_LIMIT_EXCEEDED",
    );
  });

  it("does not count blank rows towards the row limit", async () => {
    const sheetData = [
      inlineRow(1, ["h"]),
      inlineRow(2, [" "]),
      inlineRow(3, [""]),
      inlineRow(4, ["d"]),
    ].join("");
    const rows = await readRows(await sheetFile("blanks.xlsx", sheetData), {
      limits: { maxDataRows: 1 },
    });
    expect(rows.map((row) => row.row)).toEqual([1, 4]);
  });

  it("stops reading at the row limit (a broken tail after it is never reached)", async () => {
    const body = Array.from({ length: 5000 }, (_, i) => inlineRow(i + 1, [`row ${i}`, i])).join("");
    const data = Buffer.from(sheetXml(body).replace("</sheetData>", "<<broken"));
    const file = await zipFile("broken-tail.xlsx", withSheet({ data }));
    await expectFatal(readRows(file, { limits: { maxDataRows: 10 } }), "ROW_LIMIT_EXCEEDED");
    // The control: read to the end, the same file fails on its tail.
    await expectFatal(readRows(file), "UNSUPPORTED_FILE");
  });
});

describe("XLSX abort", () => {
  it("rejects with the signal's reason, before and during the read", async () => {
    const reason = new Error("stop");
    await expect(
      readRows(fixture("01_base.xlsx"), { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);

    const body = Array.from({ length: 20_000 }, (_, i) => inlineRow(i + 1, [`row ${i}`, i])).join(
      "",
    );
    const file = await zipFile("big.xlsx", withSheet({ data: Buffer.from(sheetXml(body)) }));
    const controller = new AbortController();
    const read = readRows(file, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 20);
    await expect(read).rejects.toBe(reason);
  });
});

function sheetXml(sheetData: string): string {
  return `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${sheetData}</sheetData></worksheet>`;
}

function sheetFile(name: string, sheetData: string): Promise<string> {
  return zipFile(name, withSheet({ data: Buffer.from(sheetXml(sheetData)) }));
}
