/**
 * Decides how a CSV's bytes are decoded (SPEC §3): UTF-8, with or without a BOM, when
 * the whole file is valid UTF-8; otherwise Windows-1254, the code page Turkish Excel
 * exports in. One streaming pass over the file also rejects what is not text (a NUL
 * byte) and what holds nothing (no byte besides a BOM and whitespace).
 */
import { createReadStream } from "node:fs";
import { TextDecoder } from "node:util";
import { FatalImportError } from "@catalog/core";

/** A text encoding the CSV reader decodes. */
export type TextEncoding = "utf-8" | "windows-1254";

/** What one pass over a text file found. */
export interface TextFileInspection {
  encoding: TextEncoding;
  /** Bytes of a leading UTF-8 BOM (0 or 3), to skip before decoding. */
  bomLength: number;
  /** The first {@link HEAD_BYTES} bytes after the BOM, for delimiter detection. */
  head: Buffer;
}

const HEAD_BYTES = 64 * 1024;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const WHITESPACE_BYTES = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]);

/** Reads the file once; fails with UNSUPPORTED_FILE when it is empty or holds a NUL byte. */
export async function inspectTextFile(
  filePath: string,
  signal?: AbortSignal,
): Promise<TextFileInspection> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let validUtf8 = true;
  let hasContent = false;
  let offset = 0;
  const headChunks: Buffer[] = [];
  for await (const chunk of createReadStream(filePath, { signal }) as AsyncIterable<Buffer>) {
    const nul = chunk.indexOf(0);
    if (nul !== -1) {
      throw new FatalImportError(
        "UNSUPPORTED_FILE",
        `not a text file: a NUL byte at offset ${offset + nul}`,
      );
    }
    if (offset < HEAD_BYTES) headChunks.push(chunk);
    const start = offset === 0 && startsWithBom(chunk) ? UTF8_BOM.length : 0;
    hasContent ||= chunk.subarray(start).some((byte) => !WHITESPACE_BYTES.has(byte));
    validUtf8 &&= decodes(decoder, chunk, true);
    offset += chunk.length;
  }
  validUtf8 &&= decodes(decoder, Buffer.alloc(0), false);
  if (!hasContent) throw new FatalImportError("UNSUPPORTED_FILE", "file is empty");
  const whole = Buffer.concat(headChunks);
  const bomLength = startsWithBom(whole) ? UTF8_BOM.length : 0;
  return {
    encoding: validUtf8 ? "utf-8" : "windows-1254",
    bomLength,
    head: whole.subarray(bomLength, bomLength + HEAD_BYTES),
  };
}

function startsWithBom(bytes: Buffer): boolean {
  return bytes.subarray(0, UTF8_BOM.length).equals(UTF8_BOM);
}

/** Whether `chunk` continues valid UTF-8 (`stream` keeps a sequence split across chunks open). */
function decodes(decoder: TextDecoder, chunk: Buffer, stream: boolean): boolean {
  try {
    decoder.decode(chunk, { stream });
    return true;
  } catch {
    return false;
  }
}
