/**
 * A snapshot written to a private temporary file, hashed as it is written, so that
 * validation never holds its canonical bytes as one buffer (at 100,000 rows they
 * are over 100 MiB) and the upload streams them from disk in parts.
 */
import { createHash } from "node:crypto";
import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { type Snapshot, writeSnapshot } from "@catalog/core";

export interface SnapshotFile {
  /** SHA-256 of the bytes written, lower-case hex. */
  sha256: string;
  sizeBytes: number;
  /** A new stream of the bytes, from the start. */
  open(): Readable;
  /** Deletes the file and its folder. */
  remove(): Promise<void>;
}

/** Writes `snapshot`'s canonical bytes to a new file in a new folder under `parent`. */
export async function writeSnapshotFile(
  snapshot: Snapshot,
  parent = tmpdir(),
): Promise<SnapshotFile> {
  const folder = await mkdtemp(join(parent, "catalog-snapshot-"));
  const path = join(folder, "snapshot.json");
  const remove = () => rm(folder, { recursive: true, force: true });
  const hash = createHash("sha256");
  let sizeBytes = 0;
  try {
    const fd = openSync(path, "wx", 0o600);
    try {
      // writeSnapshot's sink is synchronous; the chunks (16–64 KiB) go to the page cache.
      writeSnapshot(snapshot, (chunk) => {
        hash.update(chunk);
        for (let written = 0; written < chunk.length; ) {
          written += writeSync(fd, chunk, written);
        }
        sizeBytes += chunk.length;
      });
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return { sha256: hash.digest("hex"), sizeBytes, open: () => createReadStream(path), remove };
}
