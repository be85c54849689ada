import { writeFile } from "node:fs/promises";
import { DEFAULT_READ_LIMITS, readRows } from "@catalog/readers";
import iconv from "iconv-lite";
import { expectFatal } from "./support/expect-fatal";
import { makeTempDir } from "./support/paths";

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(() => temp.remove());

let fileCount = 0;
/** Writes `content` (text as UTF-8, or raw bytes) to a fresh temp file. */
async function csvFile(content: string | Buffer): Promise<string> {
  const file = temp.file(`file-${++fileCount}.csv`);
  await writeFile(file, content);
  return file;
}

describe("CSV decoding and delimiters", () => {
  it.each([
    ["comma", "a,b;c\n1,2;3\n", ["a", "b;c"]],
    ["semicolon with decimal commas", "a;b\n1,5;2,5\n", ["a", "b"]],
    ["tab", "a\tb,c\n1\t2\n", ["a", "b,c"]],
    ["commas outside quotes only", '"x;y;z",a,b\n1,2,3\n', ["x;y;z", "a", "b"]],
    ["a header of one column", "only\nvalue\n", ["only"]],
  ])("detects %s", async (_, content, header) => {
    const rows = await readRows(await csvFile(content as string));
    expect(rows[0]?.cells).toEqual(header);
  });

  it("breaks a tie on the header by the rows below it", async () => {
    // One comma and one semicolon in the header; the rows split on ; only.
    const rows = await readRows(await csvFile("a,b;c\n1;2\n3;4\n"));
    expect(rows[0]?.cells).toEqual(["a,b", "c"]);
  });

  it("reads UTF-8 without a BOM, and with one", async () => {
    const text = "kategori;marka\nPişirme Ekipmanları;Öz\n";
    const plain = await readRows(await csvFile(text));
    const bom = await readRows(await csvFile(`\uFEFF${text}`));
    expect(plain[1]?.cells).toEqual(["Pişirme Ekipmanları", "Öz"]);
    expect(bom).toEqual(plain);
    expect(bom[0]?.cells[0]).toBe("kategori");
  });

  it("falls back to Windows-1254 when the bytes are not UTF-8", async () => {
    const bytes = iconv.encode("Kategori;Başlık\nIşık Ekipmanları;Güç ğüşıöçİ\n", "windows-1254");
    const rows = await readRows(await csvFile(bytes));
    expect(rows[1]?.cells).toEqual(["Işık Ekipmanları", "Güç ğüşıöçİ"]);
  });

  it("keeps quoted line breaks, delimiters and quotes inside one cell", async () => {
    const rows = await readRows(
      await csvFile('a,b\r\n"line 1\r\nline 2, still",x\r\n"say ""hi""",12" tray\r\n'),
    );
    expect(rows).toEqual([
      { row: 1, cells: ["a", "b"] },
      { row: 2, cells: ["line 1\r\nline 2, still", "x"] },
      { row: 3, cells: ['say "hi"', '12" tray'] },
    ]);
  });

  it("numbers records, blank ones included, and keeps empty cells as empty strings", async () => {
    const rows = await readRows(await csvFile('h1,h2,h3\n\n,,\n"multi\nline",,x\n\n , \nlast,,\n'));
    expect(rows).toEqual([
      { row: 1, cells: ["h1", "h2", "h3"] },
      { row: 4, cells: ["multi\nline", "", "x"] },
      { row: 7, cells: ["last"] },
    ]);
  });

  it("returns a __proto__ header as a plain string cell", async () => {
    const rows = await readRows(await csvFile("__proto__,constructor,toString\n1,2,3\n"));
    expect(rows[0]?.cells).toEqual(["__proto__", "constructor", "toString"]);
    expect(Object.getPrototypeOf(rows[0]?.cells)).toBe(Array.prototype);
  });
});

describe("CSV guards", () => {
  it.each([
    ["an empty file", ""],
    ["only a BOM", "\uFEFF"],
    ["only whitespace", " \r\n\t\n"],
  ])("refuses %s", async (_, content) => {
    const error = await expectFatal(readRows(await csvFile(content)), "UNSUPPORTED_FILE");
    expect(error.message).toMatch(/file is empty/);
  });

  it("refuses a NUL byte anywhere, even past the first bytes", async () => {
    const content = Buffer.concat([
      Buffer.from(`a,b\n${"1,2\n".repeat(50_000)}`),
      Buffer.from([0]),
    ]);
    const error = await expectFatal(readRows(await csvFile(content)), "UNSUPPORTED_FILE");
    expect(error.message).toMatch(/NUL byte at offset 200004/);
  });

  it("refuses an unclosed quote with the parser's reason and line", async () => {
    const error = await expectFatal(
      readRows(await csvFile('a,b\n1,2\n"open,3\n4,5\n')),
      "UNSUPPORTED_FILE",
    );
    expect(error.message).toMatch(/Quote Not Closed.*line 4/);
  });

  it("refuses a record past the column limit, counting up to its last non-empty cell", async () => {
    const width = (count: number) => Array.from({ length: count }, (_, i) => `c${i}`).join(",");
    await expectFatal(readRows(await csvFile(`${width(201)}\n`)), "TOO_MANY_COLUMNS");
    const trailing = `${width(200)}${",".repeat(300)}\n`;
    await expect(readRows(await csvFile(trailing))).resolves.toHaveLength(1);
  });

  it("refuses a cell over the length limit", async () => {
    const long = "x".repeat(DEFAULT_READ_LIMITS.maxCellChars + 1);
    const error = await expectFatal(readRows(await csvFile(`a,b\n1,"${long}"\n`)), "CELL_TOO_LONG");
    expect(error.details).toMatchObject({ row: 2, column: 2 });
    await expectFatal(
      readRows(await csvFile("a,bcd\n"), { limits: { maxCellChars: 2 } }),
      "CELL_TOO_LONG",
    );
  });

  it("allows maxDataRows rows under the header and refuses one more", async () => {
    const limits = { maxDataRows: 2 };
    await expect(readRows(await csvFile("h\n1\n\n2\n"), { limits })).resolves.toHaveLength(3);
    const error = await expectFatal(
      readRows(await csvFile("h\n1\n2\n3\n"), { limits }),
      "ROW_LIMIT_EXCEEDED",
    );
    expect(error.details).toMatchObject({ row: 4, limit: 2 });
  });

  it("stops reading at the row limit (an unclosed quote after it is never reached)", async () => {
    const content = `h,v\n${"name,1\n".repeat(200_000)}"unclosed,2\n`;
    const file = await csvFile(content);
    await expectFatal(readRows(file, { limits: { maxDataRows: 10 } }), "ROW_LIMIT_EXCEEDED");
    // The control: read to the end, the same file fails on its last record.
    await expectFatal(readRows(file, { limits: { maxDataRows: 1_000_000 } }), "UNSUPPORTED_FILE");
  });

  it("rejects with the signal's reason, before and during the read", async () => {
    const reason = new Error("stop");
    const file = await csvFile(`h,v\n${"name,1\n".repeat(300_000)}`);
    await expect(readRows(file, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    const controller = new AbortController();
    const read = readRows(file, { signal: controller.signal, limits: { maxDataRows: 1_000_000 } });
    setTimeout(() => controller.abort(reason), 5);
    await expect(read).rejects.toBe(reason);
  });
});
