import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { getObjectBuffer, headObject, type ObjectStore, putObject } from "@catalog/storage";
import { createTestObjectStore } from "@catalog/testing";

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** A stream that does not announce its length, delivered in uneven chunks. */
function streamOfUnknownLength(bytes: Buffer): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= bytes.length) return void this.push(null);
      const size = 10_000 + Math.floor(Math.random() * 200_000);
      this.push(bytes.subarray(offset, offset + size));
      offset += size;
    },
  });
}

describe("object store on the S3-compatible server", () => {
  let store: ObjectStore;
  beforeAll(async () => {
    store = await createTestObjectStore();
  });
  afterAll(() => store.client.destroy());

  it("round-trips a Buffer byte-identical and reports its size and SHA-256", async () => {
    const bytes = randomBytes(300_000);
    const stored = await putObject(
      store,
      "roundtrip/buffer.bin",
      bytes,
      "application/octet-stream",
    );
    expect(stored).toEqual({
      key: "roundtrip/buffer.bin",
      sizeBytes: bytes.length,
      sha256: sha256(bytes),
    });
    const back = await getObjectBuffer(store, "roundtrip/buffer.bin");
    expect(sha256(back)).toBe(sha256(bytes));
    expect(back.equals(bytes)).toBe(true);
  });

  it("round-trips a stream of unknown length byte-identical, across multipart parts", async () => {
    // 12 MiB: more than two 5 MiB parts, so lib-storage uses a multipart upload.
    const bytes = randomBytes(12 * 1024 * 1024 + 12_345);
    const stored = await putObject(
      store,
      "roundtrip/stream.bin",
      streamOfUnknownLength(bytes),
      "application/octet-stream",
    );
    expect(stored.sizeBytes).toBe(bytes.length);
    expect(stored.sha256).toBe(sha256(bytes));
    expect(await headObject(store, "roundtrip/stream.bin")).toEqual({ sizeBytes: bytes.length });
    const back = await getObjectBuffer(store, "roundtrip/stream.bin");
    expect(back.length).toBe(bytes.length);
    expect(back.equals(bytes)).toBe(true);
  });

  it("round-trips a small stream (single request) byte-identical", async () => {
    const bytes = Buffer.from("category,model_code\nOcaklar,GKO-1\n", "utf8");
    const stored = await putObject(
      store,
      "roundtrip/small.csv",
      streamOfUnknownLength(bytes),
      "text/csv",
    );
    expect(stored.sha256).toBe(sha256(bytes));
    expect((await getObjectBuffer(store, "roundtrip/small.csv")).equals(bytes)).toBe(true);
  });

  it("rejects, leaving no object, when the source stream fails part way (multipart aborted)", async () => {
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent >= 7 * 1024 * 1024) return void this.destroy(new Error("client went away"));
        sent += 1024 * 1024;
        this.push(randomBytes(1024 * 1024));
      },
    });
    await expect(
      putObject(store, "roundtrip/failed.bin", failing, "application/octet-stream"),
    ).rejects.toThrow("client went away");
    expect(await headObject(store, "roundtrip/failed.bin")).toBeNull();
  });

  it("answers null for a missing object", async () => {
    expect(await headObject(store, "nothing/here")).toBeNull();
  });
});
