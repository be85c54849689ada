import { createHash } from "node:crypto";
import {
  buildSnapshot,
  canonicalJson,
  emptyCatalogView,
  normalizeFile,
  planImport,
  decodeSnapshot,
  decodeSnapshotPlan,
  decodeSnapshotReport,
  encodeSnapshot,
  SNAPSHOT_FORMAT_VERSION,
  SnapshotFormatError,
  writeSnapshot,
} from "@catalog/core";
import { catalogOf } from "./support/catalog";
import { fixtureRows } from "./support/fixtures";
import { plan, sheet } from "./support/sheet";

async function fixtureSnapshot(name: string) {
  const file = normalizeFile(await fixtureRows(name), {
    maxProducts: 1000,
    maxVariants: 1000,
    maxSpecsPerVariant: 50,
  });
  return buildSnapshot({
    jobId: "job-2",
    input: { filename: name, fileSha256: "cd".repeat(32), mode: "smart" },
    result: planImport(file, emptyCatalogView(), "smart"),
  });
}

function sampleSnapshot() {
  const catalog = catalogOf({
    categories: [{ slug: "c1", name: "C1" }],
    products: [{ slug: "p", title_en: "P", category_slug: "c1", version: 3 }],
    variants: [
      { model_code: "V", product_slug: "p", price: "1.00", specs: { a: "1" }, version: 2 },
    ],
  });
  const result = plan(
    sheet(
      ["category", "title_en", "model_code", "price", "spec:__proto__", "extra"],
      ["c1", "P", "V", "2", "x", ""],
      ["New", "Q", "W", " 3 ", "", "e"],
    ),
    catalog,
    "smart",
  );
  return buildSnapshot({
    jobId: "job-1",
    input: { filename: "file.csv", fileSha256: "ab".repeat(32), mode: "smart" },
    result,
  });
}

describe("snapshot", () => {
  it("holds the format version, job, input, summary, normalized data, log and plan", () => {
    const snapshot = sampleSnapshot();
    expect(snapshot).toMatchObject({
      format_version: SNAPSHOT_FORMAT_VERSION,
      job_id: "job-1",
      input: { filename: "file.csv", file_sha256: "ab".repeat(32), mode: "smart" },
      summary: { rows_total: 2, products: { create: 1, update: 0, unchanged: 1 } },
    });
    expect(Object.keys(snapshot).sort()).toEqual([
      "data_rows",
      "format_version",
      "input",
      "issues",
      "job_id",
      "normalization_log",
      "plan",
      "products",
      "summary",
      "variants",
    ]);
    expect(snapshot.plan.candidates.categories.map((c) => c.slug)).toEqual(["new"]);
    expect(snapshot.plan.variants[1]).toMatchObject({ model_code: "W", action: "create" });
    expect(snapshot.plan.variants[0]).toMatchObject({ model_code: "V", id: 1, version: 2 });
  });

  it("encodes to the same bytes every time, with their SHA-256", () => {
    const first = encodeSnapshot(sampleSnapshot());
    const second = encodeSnapshot(sampleSnapshot());
    expect(first.bytes.equals(second.bytes)).toBe(true);
    expect(first.sha256).toBe(createHash("sha256").update(first.bytes).digest("hex"));
    expect(first.bytes.toString("utf8")).not.toMatch(/\n|": /);
  });

  it("encodes the bytes of canonicalJson, in chunks when written to a sink", () => {
    const snapshot = sampleSnapshot();
    const { bytes } = encodeSnapshot(snapshot);
    expect(bytes.toString("utf8")).toBe(canonicalJson(snapshot));
    const chunks: Buffer[] = [];
    writeSnapshot(snapshot, (chunk) => chunks.push(chunk));
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  it("refuses to encode what a reader would refuse, naming the path", () => {
    const extra = sampleSnapshot();
    Object.assign(extra.plan.variants[0] as object, { note: "x" });
    expect(() => encodeSnapshot(extra)).toThrow(SnapshotFormatError);
    expect(() => encodeSnapshot(extra)).toThrow(
      "snapshot.plan.variants[0].note: expected no such key",
    );
    const missing = sampleSnapshot();
    delete (missing.summary as Partial<typeof missing.summary>).warnings;
    expect(() => encodeSnapshot(missing)).toThrow("snapshot.summary.warnings: expected a value");
    const mistyped = sampleSnapshot();
    (mistyped.issues[0] as { row: unknown }).row = "2";
    expect(() => encodeSnapshot(mistyped)).toThrow("snapshot.issues[0].row: expected an integer");
  });

  it("decodes what it encoded, specs keyed safely", () => {
    const snapshot = sampleSnapshot();
    const decoded = decodeSnapshot(encodeSnapshot(snapshot).bytes);
    expect(decoded).toEqual(snapshot);
    expect(encodeSnapshot(decoded).sha256).toBe(encodeSnapshot(snapshot).sha256);
    const specs = decoded.variants.V?.specs ?? {};
    expect(Object.getPrototypeOf(specs)).toBeNull();
    expect(Object.keys(specs)).toEqual(["__proto__"]);
  });

  it("reads only the job and the plan at commit, the same as the whole decode, whatever the text holds", () => {
    const snapshot = sampleSnapshot();
    // Text with quotes, backslashes, braces and commas, and a spec named "plan".
    const tricky = 'a "quoted", {brace} [x] \\ \\"plan\\": {"candidates": 1}';
    snapshot.input.filename = tricky;
    (snapshot.issues as unknown[]).length = 0;
    snapshot.data_rows.rows[0]?.cells.splice(0, 1, tricky);
    const { bytes } = encodeSnapshot(snapshot);
    const whole = decodeSnapshot(bytes);
    expect(decodeSnapshotPlan(bytes)).toEqual({ job_id: whole.job_id, plan: whole.plan });
    expect(JSON.parse(JSON.stringify(decodeSnapshotPlan(bytes).plan))).toEqual(
      JSON.parse(JSON.stringify(whole.plan)),
    );
  });

  it("refuses at commit a plan of the wrong shape or another format version", () => {
    const document = JSON.parse(encodeSnapshot(sampleSnapshot()).bytes.toString()) as Record<
      string,
      unknown
    >;
    const bytesOf = (value: unknown) => Buffer.from(JSON.stringify(value));
    expect(() => decodeSnapshotPlan(bytesOf({ ...document, format_version: 2 }))).toThrow(
      SnapshotFormatError,
    );
    expect(() => decodeSnapshotPlan(bytesOf({ ...document, plan: { products: [] } }))).toThrow(
      /bad shape at plan/,
    );
    expect(() => decodeSnapshotPlan(bytesOf({ ...document, job_id: 1 }))).toThrow(/job_id/);
    expect(() => decodeSnapshotPlan(Buffer.from('{"plan": "unclosed'))).toThrow(
      SnapshotFormatError,
    );
  });

  it("reads for the report what the whole decode gives of those parts, whatever the text holds", async () => {
    for (const snapshot of [sampleSnapshot(), await fixtureSnapshot("05_errors.xlsx")]) {
      const tricky = 'a "quoted", {brace} [x] \\ \\"candidates\\": {"plan": 1}';
      snapshot.input.filename = tricky;
      snapshot.data_rows.rows[0]?.cells.splice(0, 1, tricky);
      const { bytes } = encodeSnapshot(snapshot);
      const whole = decodeSnapshot(bytes);
      expect(whole.data_rows.rows.length).toBeGreaterThan(0);
      expect(decodeSnapshotReport(bytes)).toEqual({
        summary: whole.summary,
        issues: whole.issues,
        normalization_log: whole.normalization_log,
        data_rows: whole.data_rows,
        plan: { candidates: whole.plan.candidates },
      });
    }
  });

  it("refuses for the report a part of the wrong shape or another format version, naming the path", () => {
    const document = JSON.parse(encodeSnapshot(sampleSnapshot()).bytes.toString()) as Record<
      string,
      unknown
    > & { plan: Record<string, unknown> };
    const bytesOf = (value: unknown) => Buffer.from(JSON.stringify(value));
    expect(() => decodeSnapshotReport(bytesOf({ ...document, format_version: 2 }))).toThrow(
      /format_version is 2/,
    );
    expect(() =>
      decodeSnapshotReport(bytesOf({ ...document, data_rows: { headers: [], rows: [{}] } })),
    ).toThrow(/bad shape at data_rows\.rows\[0\]/);
    expect(() =>
      decodeSnapshotReport(bytesOf({ ...document, plan: { ...document.plan, candidates: [] } })),
    ).toThrow(/bad shape at plan\.candidates/);
    expect(() => decodeSnapshotReport(bytesOf({ ...document, issues: undefined }))).toThrow(
      /bad shape at issues/,
    );
    // Only the parts the report reads are checked: a broken plan entry does not stop it.
    expect(
      decodeSnapshotReport(bytesOf({ ...document, plan: { ...document.plan, variants: 7 } }))
        .summary,
    ).toEqual(document.summary);
  });

  it("refuses a result planned in another mode than the input says", () => {
    const result = plan(
      sheet(["category", "title_en", "model_code"], ["c", "t", "m"]),
      undefined,
      "strict",
    );
    expect(() =>
      buildSnapshot({
        jobId: "j",
        input: { filename: "f", fileSha256: "", mode: "smart" },
        result,
      }),
    ).toThrow("strict");
  });

  describe("decode refuses a bad document", () => {
    const encoded = () => JSON.parse(encodeSnapshot(sampleSnapshot()).bytes.toString("utf8"));
    const decode = (document: unknown) => () =>
      decodeSnapshot(
        Buffer.from(typeof document === "string" ? document : JSON.stringify(document)),
      );

    it("that is not JSON", () => {
      expect(decode("{not json")).toThrow(SnapshotFormatError);
      expect(() => decodeSnapshot(Buffer.from([0xff, 0xfe]))).toThrow("not UTF-8 JSON");
    });

    it("of another format version", () => {
      expect(decode({ ...encoded(), format_version: 2 })).toThrow("format_version is 2");
      expect(decode([])).toThrow("format_version is null");
    });

    it("with a missing, extra or mistyped part, naming the path", () => {
      const { plan: _plan, ...noPlan } = encoded();
      expect(decode(noPlan)).toThrow("snapshot.plan: expected a value");
      expect(decode({ ...encoded(), extra: 1 })).toThrow("snapshot.extra: expected no such key");
      const bad = encoded();
      bad.plan.variants[0].version = "2";
      expect(decode(bad)).toThrow("snapshot.plan.variants[0].version: expected an integer");
      const badAction = encoded();
      badAction.plan.products[0].action = "delete";
      expect(decode(badAction)).toThrow("snapshot.plan.products[0].action: expected one of");
      const badCode = encoded();
      badCode.issues.push({
        row: 1,
        column: "x",
        code: "NOPE",
        severity: "error",
        message: "",
        value: null,
      });
      expect(decode(badCode)).toThrow(SnapshotFormatError);
    });

    it("with a Data sheet mark of the wrong shape", () => {
      const bad = encoded();
      bad.data_rows.rows[0].marks = [{ issue: "0", cell: 1 }];
      expect(decode(bad)).toThrow("snapshot.data_rows.rows[0].marks[0].issue: expected an integer");
      bad.data_rows.rows[0].marks = [{ issue: 0 }];
      expect(decode(bad)).toThrow("snapshot.data_rows.rows[0].marks[0].cell: expected a value");
    });
  });

  it("keeps every data row for the report, rows in error with their marks, and reads them back", () => {
    const result = plan(
      sheet(
        ["category", "title_en", "model_code", "price"],
        ["C", "T", "A", "1"],
        ["C", "T", "B", "x"],
      ),
    );
    const snapshot = buildSnapshot({
      jobId: "job-2",
      input: { filename: "f.csv", fileSha256: "cd".repeat(32), mode: "smart" },
      result,
    });
    expect(snapshot.data_rows.rows).toEqual([
      { row: 2, cells: ["C", "T", "A", "1.00"] },
      { row: 3, cells: ["C", "T", "B", "x"], marks: [{ issue: 0, cell: 3 }] },
    ]);
    expect(snapshot.issues[0]).toMatchObject({ row: 3, code: "INVALID_PRICE" });
    expect(decodeSnapshot(encodeSnapshot(snapshot).bytes)).toEqual(snapshot);
  });

  it("of a file without issues has the bytes it had before rows carried marks (01_base.xlsx)", async () => {
    const limits = { maxProducts: 5_000, maxVariants: 10_000, maxSpecsPerVariant: 50 };
    const file = normalizeFile(await fixtureRows("01_base.xlsx"), limits);
    const snapshot = buildSnapshot({
      jobId: "j",
      input: { filename: "01_base.xlsx", fileSha256: "0".repeat(64), mode: "smart" },
      result: planImport(file, emptyCatalogView(), "smart"),
    });
    const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
    // Taken from the code before the Data rows gained the rows in error and their
    // marks: a clean file's snapshot, its plan section included, is byte for byte the same.
    expect(sha256(canonicalJson(snapshot.plan))).toBe(
      "cfb72bc9086b2ddb162d6cb25ba2ba401c4ded4d6cda8270b132ac8608cb2a42",
    );
    expect(encodeSnapshot(snapshot)).toMatchObject({
      sha256: "3a6bff1468652c4bafe8691c32c004d23f6ab84582e4253c25713109d7d7a40e",
      bytes: expect.objectContaining({ length: 24_641 }),
    });
  });
});
