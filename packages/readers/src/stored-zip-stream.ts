/**
 * Builds the zip stream that the XLSX reader hands to exceljs's streaming reader: only
 * the parts it needs, in the order it needs them, stored (not compressed) with sizes in
 * every local header.
 *
 * Why not give exceljs the file itself:
 * - exceljs meets zip entries in file order and parks any sheet that comes before the
 *   shared strings or the workbook rels in a temp file (openpyxl writes no shared
 *   strings at all, so every openpyxl sheet would go through a temp file, and a failed
 *   read leaves it behind); here the workbook parts always come first, so it never does;
 * - it would also parse every sheet; here it sees only the chosen one;
 * - its inflation is not guarded; here every byte comes from {@link ZipArchive.inflate};
 * - it decodes each chunk of XML on its own, so a UTF-8 character split across two
 *   chunks turns into two U+FFFD; here chunks are cut on character boundaries.
 *
 * A failure while producing the bytes (a bomb, a corrupt entry) is recorded and the
 * stream simply ends: exceljs pipes its input into unzipper without forwarding errors,
 * so an errored input would leave it waiting forever, while an early end makes unzipper
 * fail with FILE_ENDED. The caller throws the recorded failure.
 */
import { Readable } from "node:stream";

/** One part of the stream: its zip path, its exact size and its bytes. */
export interface StreamPart {
  name: string;
  size: number;
  bytes: Buffer | AsyncIterable<Buffer>;
}

/** The stream and a way to learn why it ended early. */
export interface StoredZipStream {
  stream: Readable;
  /** Resolves with the error that cut the stream short; never resolves if none did. */
  failed: Promise<unknown>;
}

/** Streams `parts` as a zip of stored entries followed by an end-of-central-directory record. */
export function storedZipStream(parts: readonly StreamPart[]): StoredZipStream {
  let reportFailure: (error: unknown) => void = () => {};
  const failed = new Promise<unknown>((resolve) => {
    reportFailure = resolve;
  });
  async function* generate(): AsyncGenerator<Buffer> {
    let offset = 0;
    try {
      for (const part of parts) {
        const header = localFileHeader(part.name, part.size);
        offset += header.length + part.size;
        yield header;
        yield* alignToUtf8(Buffer.isBuffer(part.bytes) ? [part.bytes] : part.bytes);
      }
      yield endOfCentralDirectory(offset);
    } catch (error) {
      reportFailure(error);
    }
  }
  return { stream: Readable.from(generate(), { objectMode: false }), failed };
}

/** Re-chunks bytes so that no chunk ends inside a UTF-8 sequence. */
async function* alignToUtf8(
  chunks: Iterable<Buffer> | AsyncIterable<Buffer>,
): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const joined = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const cut = utf8BoundaryBefore(joined);
    carry = joined.subarray(cut);
    if (cut > 0) yield joined.subarray(0, cut);
  }
  if (carry.length > 0) yield carry;
}

/** The length of the longest prefix of `bytes` that does not end inside a UTF-8 sequence. */
export function utf8BoundaryBefore(bytes: Buffer): number {
  let start = bytes.length - 1;
  // Step back over at most three continuation bytes (10xxxxxx) to the sequence's lead byte.
  while (start >= 0 && bytes.length - start <= 3 && ((bytes[start] ?? 0) & 0xc0) === 0x80) start--;
  if (start < 0) return bytes.length;
  const lead = bytes[start] ?? 0;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return start + length > bytes.length ? start : bytes.length;
}

const LOCAL_FILE_HEADER = 0x04034b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const UTF8_NAMES_FLAG = 0x0800;
const DOS_DATE_1980_01_01 = 0x21;

/**
 * A local file header for a stored entry. The CRC is left 0: unzipper does not check
 * it, and the bytes were already checked against their declared size.
 */
function localFileHeader(name: string, size: number): Buffer {
  const nameBytes = Buffer.from(name, "utf8");
  const header = Buffer.alloc(30);
  header.writeUInt32LE(LOCAL_FILE_HEADER, 0);
  header.writeUInt16LE(20, 4); // version needed to extract: 2.0
  header.writeUInt16LE(UTF8_NAMES_FLAG, 6);
  header.writeUInt16LE(0, 8); // method: stored
  header.writeUInt16LE(0, 10); // time
  header.writeUInt16LE(DOS_DATE_1980_01_01, 12);
  header.writeUInt32LE(0, 14); // CRC-32
  header.writeUInt32LE(size, 18); // compressed size
  header.writeUInt32LE(size, 22); // uncompressed size
  header.writeUInt16LE(nameBytes.length, 26);
  header.writeUInt16LE(0, 28); // extra field length
  return Buffer.concat([header, nameBytes]);
}

/** An end-of-central-directory record with no directory: unzipper's streaming parser stops there. */
function endOfCentralDirectory(offset: number): Buffer {
  const record = Buffer.alloc(22);
  record.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  record.writeUInt32LE(offset, 16); // where the (empty) central directory starts
  return record;
}
