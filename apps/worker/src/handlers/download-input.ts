/**
 * Copies an import's input from S3 to a private temporary file while hashing it.
 * The readers need a file (XLSX is a zip: its central directory is at the end),
 * and the hash proves the bytes are the ones the upload recorded.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { failpoint } from "@catalog/failpoints";
import { getObjectStream, type ObjectStore } from "@catalog/storage";

export interface DownloadedInput {
  path: string;
  sha256: string;
  sizeBytes: number;
  /** Deletes the temporary file and its folder. */
  remove(): Promise<void>;
}

/** Streams `key` to a new temporary file (in a new folder under `parent`), hashing on the way. */
export async function downloadInput(
  store: ObjectStore,
  key: string,
  signal?: AbortSignal,
  parent = tmpdir(),
): Promise<DownloadedInput> {
  const folder = await mkdtemp(join(parent, "catalog-import-"));
  const path = join(folder, "input");
  const remove = () => rm(folder, { recursive: true, force: true });
  const hash = createHash("sha256");
  let sizeBytes = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    const body = await getObjectStream(store, key);
    await failpoint("validate.downloading");
    await pipeline(body, hashing, createWriteStream(path, { mode: 0o600 }), { signal });
  } catch (error) {
    await remove();
    throw error;
  }
  return { path, sha256: hash.digest("hex"), sizeBytes, remove };
}
