import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import {
  buildSnapshot,
  emptyCatalogView,
  encodeSnapshot,
  normalizeFile,
  planImport,
  type Snapshot,
  SnapshotFormatError,
} from "@catalog/core";
import { readRows } from "@catalog/readers";
import { fixturePath } from "@catalog/testing";
import { writeSnapshotFile } from "../src/handlers/snapshot-file";

const LIMITS = { maxProducts: 1000, maxVariants: 1000, maxSpecsPerVariant: 50 };

async function fixtureSnapshot(name: string): Promise<Snapshot> {
  const file = normalizeFile(await readRows(fixturePath(name)), LIMITS);
  return buildSnapshot({
    jobId: "0f8fad5b-d9cb-469f-a165-70867728950e",
    input: { filename: name, fileSha256: "ab".repeat(32), mode: "smart" },
    result: planImport(file, emptyCatalogView(), "smart"),
  });
}

async function streamed(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe("writeSnapshotFile", () => {
  it("writes the canonical bytes encodeSnapshot makes, with their SHA-256 and size, readable more than once", async () => {
    const snapshot = await fixtureSnapshot("01_base.xlsx");
    const expected = encodeSnapshot(snapshot);
    const file = await writeSnapshotFile(snapshot);
    try {
      expect(expected.bytes.length).toBeGreaterThan(1000);
      expect(file.sizeBytes).toBe(expected.bytes.length);
      expect(file.sha256).toBe(expected.sha256);
      expect((await streamed(file.open())).equals(expected.bytes)).toBe(true);
      expect((await streamed(file.open())).equals(expected.bytes)).toBe(true);
    } finally {
      await file.remove();
    }
  });

  it("removes its file when removed, and leaves nothing behind when the document is not a snapshot", async () => {
    const snapshot = await fixtureSnapshot("01_base.xlsx");
    const file = await writeSnapshotFile(snapshot);
    const stream = file.open() as Readable & { path: string };
    await streamed(stream);
    const folder = dirname(stream.path);
    expect(existsSync(folder)).toBe(true);
    await file.remove();
    expect(existsSync(folder)).toBe(false);

    // A parent folder of this test's own, so that the check sees only these writes' files.
    const privateTmp = await mkdtemp(join(tmpdir(), "snapshot-file-test-"));
    try {
      const broken = { ...snapshot, extra: 1 } as unknown as Snapshot;
      await expect(writeSnapshotFile(broken, privateTmp)).rejects.toThrow(SnapshotFormatError);
      const written = await writeSnapshotFile(snapshot, privateTmp);
      expect(await readdir(privateTmp)).toHaveLength(1); // the good write's folder, and only it
      await written.remove();
      expect(await readdir(privateTmp)).toEqual([]);
    } finally {
      await rm(privateTmp, { recursive: true, force: true });
    }
  });
});
