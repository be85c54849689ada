/**
 * The zip side of the XLSX reader, on yauzl: opens the central directory (so a file
 * that is not a zip, is truncated or has a corrupt directory fails before any parsing),
 * checks the declared uncompressed sizes against the limit, and inflates single
 * entries while counting the bytes that actually come out.
 *
 * Declared sizes can lie, so every inflated entry is cut off the moment it yields more
 * than its declared size (UNCOMPRESSED_SIZE_EXCEEDED) and refused when it yields less
 * (truncated). As the declared sizes were summed within the limit first, the bytes
 * actually inflated stay within it too, and a lying bomb costs at most one chunk past
 * its declared size in CPU. Cost of the guard: one byte counter; only the entries the
 * reader needs are inflated, once, and the others are never decompressed at all.
 */
import type { Readable } from "node:stream";
import { FatalImportError } from "@catalog/core";
import yauzl, { type Entry, type ZipFile } from "yauzl";

/** An open zip whose entries are listed and whose declared total fits the limit. */
export interface ZipArchive {
  /** The entry with exactly this name (directories excluded). */
  entry(name: string): Entry | undefined;
  /** The entry's inflated bytes, streamed and held to its declared size (see the module comment). */
  inflate(entry: Entry): AsyncGenerator<Buffer>;
  /** The entry's inflated bytes in one buffer (for the small workbook parts). */
  readAll(entry: Entry): Promise<Buffer>;
  /** Releases the file; safe to call twice. */
  close(): void;
}

/** Opens `filePath` as a zip, failing with UNSUPPORTED_FILE or UNCOMPRESSED_SIZE_EXCEEDED. */
export async function openZipArchive(
  filePath: string,
  maxUncompressedBytes: number,
): Promise<ZipArchive> {
  const zipfile = await openZipFile(filePath);
  try {
    const entries = await listEntries(zipfile, maxUncompressedBytes);
    return createArchive(zipfile, entries);
  } catch (error) {
    zipfile.close();
    throw error;
  }
}

async function openZipFile(filePath: string): Promise<ZipFile> {
  try {
    // Sizes are checked by inflateEntry itself, so that a lie ends in
    // UNCOMPRESSED_SIZE_EXCEEDED rather than in yauzl's generic stream error.
    return await yauzl.openPromise(filePath, {
      lazyEntries: true,
      autoClose: false,
      validateEntrySizes: false,
    });
  } catch (error) {
    throw unsupportedZip(error);
  }
}

async function listEntries(
  zipfile: ZipFile,
  maxUncompressedBytes: number,
): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  let declaredBytes = 0;
  try {
    for await (const entry of zipfile.eachEntry()) {
      declaredBytes += entry.uncompressedSize;
      if (declaredBytes > maxUncompressedBytes) {
        throw new FatalImportError(
          "UNCOMPRESSED_SIZE_EXCEEDED",
          `the workbook's zip entries declare more than ${maxUncompressedBytes} bytes uncompressed`,
          { limit: maxUncompressedBytes },
        );
      }
      if (entry.fileName.endsWith("/")) continue;
      // Two entries with one name would let a reader and a validator see different parts.
      if (entries.has(entry.fileName)) {
        throw new FatalImportError("UNSUPPORTED_FILE", `the zip holds "${entry.fileName}" twice`);
      }
      entries.set(entry.fileName, entry);
    }
  } catch (error) {
    throw error instanceof FatalImportError ? error : unsupportedZip(error);
  }
  return entries;
}

function createArchive(zipfile: ZipFile, entries: Map<string, Entry>): ZipArchive {
  const archive: ZipArchive = {
    entry: (name) => entries.get(name),
    inflate: (entry) => inflateEntry(zipfile, entry),
    async readAll(entry) {
      const chunks: Buffer[] = [];
      for await (const chunk of archive.inflate(entry)) chunks.push(chunk);
      return Buffer.concat(chunks);
    },
    close: () => zipfile.close(),
  };
  return archive;
}

async function* inflateEntry(zipfile: ZipFile, entry: Entry): AsyncGenerator<Buffer> {
  let stream: Readable;
  try {
    stream = await zipfile.openReadStreamPromise(entry);
  } catch (error) {
    throw unsupportedZip(error, entry.fileName);
  }
  let entryBytes = 0;
  try {
    // Leaving this loop early (a consumer that stops) destroys the stream.
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      entryBytes += chunk.length;
      if (entryBytes > entry.uncompressedSize) {
        throw new FatalImportError(
          "UNCOMPRESSED_SIZE_EXCEEDED",
          `zip entry "${entry.fileName}" inflates past its declared ${entry.uncompressedSize} bytes`,
          { entry: entry.fileName, declared: entry.uncompressedSize },
        );
      }
      yield chunk;
    }
  } catch (error) {
    throw error instanceof FatalImportError ? error : unsupportedZip(error, entry.fileName);
  } finally {
    stream.destroy();
  }
  if (entryBytes < entry.uncompressedSize) {
    throw new FatalImportError(
      "UNSUPPORTED_FILE",
      `zip entry "${entry.fileName}" is truncated: ${entryBytes} of ${entry.uncompressedSize} bytes`,
    );
  }
}

function unsupportedZip(error: unknown, entryName?: string): FatalImportError {
  const reason = error instanceof Error ? error.message : String(error);
  const where = entryName ? ` (entry "${entryName}")` : "";
  return new FatalImportError(
    "UNSUPPORTED_FILE",
    `not a readable XLSX: corrupt or truncated zip${where}: ${reason}`,
  );
}
