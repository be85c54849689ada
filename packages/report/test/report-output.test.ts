/**
 * Where the report goes and what happens when something fails on the way: a stream
 * instead of a path, a slow consumer, a model that throws, an output that breaks.
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { PassThrough, Writable } from "node:stream";
import { type ReportDataRow, type ReportIssue, writeReport } from "@catalog/report";
import { loadWorkbook, sheetNamed, summaryLines } from "./support/read-report";
import { sampleModel } from "./support/sample-model";
import { makeTempDir } from "./support/temp-dir";

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(() => temp.remove());

/** `count` data rows of the sample's layout, made on demand. */
function* manyRows(count: number, failAt = Number.POSITIVE_INFINITY): Generator<ReportDataRow> {
  for (let index = 0; index < count; index++) {
    if (index === failAt) throw new Error("model broke");
    yield {
      row: index + 2,
      cells: ["Pişirme", null, "Kuzina", `Ürün ${index}`, `GKO-${index}`, "10.00", `${index}`],
    };
  }
}

/** A Writable that takes `delayMs` per chunk (a slow upload), keeping what it gets. */
function slowSink(delayMs: number): Writable & { bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      setTimeout(callback, delayMs);
    },
  });
  return Object.assign(sink, { bytes: () => Buffer.concat(chunks) });
}

describe("report output", () => {
  it("writes to a Writable and resolves once it has finished", async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    await writeReport(sampleModel(), stream);
    expect(stream.writableFinished).toBe(true);
    const file = temp.file("from-stream.xlsx");
    await writeFile(file, Buffer.concat(chunks));
    const workbook = await loadWorkbook(file);
    expect(workbook.worksheets).toHaveLength(5);
  });

  it("keeps pace with a slow consumer and still writes every row", async () => {
    const sink = slowSink(1);
    const model = {
      ...sampleModel(),
      data: { header: sampleModel().data.header, rows: manyRows(3000) },
    };
    expect((await writeReport(model, sink)).rows).toBe(3000);
    const file = temp.file("slow.xlsx");
    await writeFile(file, sink.bytes());
    const data = sheetNamed(await loadWorkbook(file), "Data");
    expect(data.rowCount).toBe(3001);
    expect(data.getCell("E3001").value).toBe("GKO-2999");
  });

  it("rejects with the model's error and removes the half-written file", async () => {
    const file = temp.file("broken-model.xlsx");
    const model = { ...sampleModel(), data: { header: ["a"], rows: manyRows(1000, 450) } };
    await expect(writeReport(model, file)).rejects.toThrow("model broke");
    expect(existsSync(file)).toBe(false);
  });

  it("destroys a given stream with the model's error, so an upload fed by it aborts", async () => {
    const stream = new PassThrough();
    stream.resume();
    const model = { ...sampleModel(), data: { header: ["a"], rows: manyRows(1000, 450) } };
    await expect(writeReport(model, stream)).rejects.toThrow("model broke");
    expect(stream.destroyed).toBe(true);
    expect(stream.errored?.message).toBe("model broke");
  });

  it("rejects, without crashing, when the file cannot be created", async () => {
    const file = temp.file("missing-folder/report.xlsx");
    await expect(writeReport(sampleModel(), file)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("rejects when the output fails part way (a broken upload)", async () => {
    let received = 0;
    const failing = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        callback(received > 20_000 ? new Error("upload aborted") : null);
      },
    });
    const model = { ...sampleModel(), data: { header: ["a"], rows: manyRows(20_000) } };
    await expect(writeReport(model, failing)).rejects.toThrow("upload aborted");
  });

  it("rejects when the consumer closes the output early", async () => {
    const stream = new PassThrough();
    stream.once("data", () => stream.destroy());
    const model = { ...sampleModel(), data: { header: ["a"], rows: manyRows(20_000) } };
    await expect(writeReport(model, stream)).rejects.toThrow(/premature close/i);
  });

  it("accepts one-shot iterators, issues included (tallied and listed)", async () => {
    const issues = sampleModel().issues as ReportIssue[];
    function* once(): Generator<ReportIssue> {
      yield* issues;
    }
    const file = temp.file("generators.xlsx");
    const written = await writeReport({ ...sampleModel(), issues: once() }, file);
    expect(written.issues).toBe(issues.length);
    const workbook = await loadWorkbook(file);
    expect(sheetNamed(workbook, "Issues").rowCount).toBe(issues.length + 1);
    expect(summaryLines(workbook)).toContainEqual(["errors", "INVALID_PRICE", 1]);
  });
});
