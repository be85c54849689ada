/**
 * Hand-made zip files for the reader tests: entries written in any order, deflated or
 * stored, with sizes that may lie. Also reads an existing zip's entries (to reorder a
 * real workbook's parts).
 */
import { writeFile } from "node:fs/promises";
import { deflateRawSync } from "node:zlib";
import yauzl from "yauzl";

/** One entry to write. */
export interface ZipEntrySpec {
  name: string;
  data: Buffer;
  /** Default "deflate". */
  method?: "deflate" | "store";
  /** The uncompressed size to declare, when it should lie (default: the real one). */
  declaredSize?: number;
  /** Deflated bytes to write instead of compressing `data` (for big bombs; give `declaredSize`). */
  deflated?: Buffer;
}

/** Writes `entries` in the given order as a zip with a central directory. */
export async function writeZip(filePath: string, entries: readonly ZipEntrySpec[]): Promise<void> {
  await writeFile(filePath, buildZip(entries));
}

/** The bytes of a zip holding `entries` in the given order. */
export function buildZip(entries: readonly ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const store = entry.method === "store";
    const body = store ? entry.data : (entry.deflated ?? deflateRawSync(entry.data));
    const size = entry.declaredSize ?? entry.data.length;
    // A precompressed body comes without its data, so without a CRC (no reader here checks it).
    const crc = entry.deflated ? 0 : crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(store ? 0 : 8, 8);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(store ? 0 : 8, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The entries of an existing zip, in stored order, inflated. */
export async function readZipEntries(filePath: string): Promise<{ name: string; data: Buffer }[]> {
  const zipfile = await yauzl.openPromise(filePath, { lazyEntries: true });
  const entries: { name: string; data: Buffer }[] = [];
  for await (const entry of zipfile.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await zipfile.openReadStreamPromise(entry)) chunks.push(chunk);
    entries.push({ name: entry.fileName, data: Buffer.concat(chunks) });
  }
  zipfile.close();
  return entries;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
