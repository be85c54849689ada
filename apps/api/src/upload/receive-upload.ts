/**
 * Receives a multipart upload and streams its one file part straight to object
 * storage, hashing it on the way: the API never holds a whole file. Memory per
 * upload is bounded by stream buffers and the S3 multipart part size.
 *
 * Order of checks on the file part:
 * 1. its first bytes and name must be XLSX or CSV (`sniffFileKind`), else 415
 *    before anything is sent to storage;
 * 2. bytes are counted as they stream; one byte over `maxFileBytes` aborts the
 *    S3 upload, deletes whatever was stored and answers 413.
 *
 * Text fields may come before or after the file (curl -F sends them in the order
 * given): each is checked as it arrives, so a bad field before the file refuses
 * the upload before any byte is stored, and a bad field after it deletes the
 * stored object. The result is known only once the whole body has been read.
 *
 * A refusal decided early is answered once the rest of the body has been read
 * and discarded (up to a bound, see discard-request-body.ts), so a client that
 * writes its whole body before reading gets the status, not a broken pipe.
 * Storage that fails or hangs (the S3 client's timeouts) is a 503; an object
 * that could not be deleted then is deleted later, once storage answers again.
 */
import type { IncomingMessage } from "node:http";
import { type Readable, Transform } from "node:stream";
import type { Logger } from "@catalog/observability";
import { type FileKind, sniffFileKind } from "@catalog/readers";
import { type ObjectStore, putObject, type StoredObject } from "@catalog/storage";
import busboy from "busboy";
import { AppError } from "../errors";
import { discardRequestBody } from "./discard-request-body";
import { deleteRefusedObject } from "./delete-refused-object";
import { baseName, safeFileName } from "./upload-file-name";

/** Bytes handed to `sniffFileKind` (a few hundred are enough for both kinds). */
const HEAD_BYTES = 512;

/** Content type each accepted kind is stored with. */
export const CONTENT_TYPES: Record<FileKind, string> = {
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  csv: "text/csv",
};

export interface ReceiveUploadOptions {
  store: ObjectStore;
  logger: Logger;
  /** Largest accepted file, in bytes; one more is a 413. */
  maxFileBytes: number;
  /** Name of the file part. */
  fileField: string;
  /** Accepted text fields, each with a check that throws an AppError to refuse the upload. */
  fields: Record<string, (value: string) => void>;
  /** The object key for the file, given its safe name. */
  objectKey: (safeName: string) => string;
  /**
   * Bytes of a refused body read and discarded before the refusal is sent.
   * Default: twice maxFileBytes, at least 16 MiB.
   */
  maxDiscardBytes?: number;
  /**
   * Called when a refused body was longer than maxDiscardBytes: the answer is
   * sent before the body ended, so it must close the connection.
   */
  onBodyAbandoned?: () => void;
}

export interface ReceivedUpload {
  /** The client's base name of the file. */
  fileName: string;
  kind: FileKind;
  contentType: string;
  /** Key, size and SHA-256 of what was stored. */
  stored: StoredObject;
  /** The text fields, as sent and checked. */
  fields: Record<string, string>;
}

/** The file part while it is being received. */
interface FilePart {
  fileName: string;
  key: string;
  /** Whether bytes may have been sent to storage (the object may need deleting). */
  putStarted: boolean;
  storing?: Promise<{ kind: FileKind; stored: StoredObject }>;
}

const fileTooLarge = (maxFileBytes: number) =>
  new AppError("FILE_TOO_LARGE", `The file is larger than the limit of ${maxFileBytes} bytes`, {
    max_file_bytes: maxFileBytes,
  });

/** An AppError for anything that went wrong while storing (an unreachable S3 is a 503). */
function asUploadError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError("UNAVAILABLE", "Object storage is unavailable; nothing was stored");
}

/** Reads a stream's first `size` bytes (or all of it when shorter), then leaves it paused. */
function readHead(file: Readable, size: number, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = (error?: unknown) => {
      file.pause();
      file.off("data", onData);
      file.off("end", onEnd);
      file.off("error", done);
      file.off("close", onClose);
      signal.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, length));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= size) done();
    };
    const onEnd = () => done();
    const onClose = () => done(new AppError("BAD_REQUEST", "The file part ended abruptly"));
    const onAbort = () => done(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    file.on("data", onData);
    file.once("end", onEnd);
    file.once("error", done);
    file.once("close", onClose);
  });
}

/** A pass-through that fails once more than `max` bytes went through it. */
function byteLimit(max: number): Transform {
  let count = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      count += chunk.length;
      if (count > max) callback(fileTooLarge(max));
      else callback(null, chunk);
    },
  });
}

/** Sniffs the file part's kind, then streams it to storage through the byte limit. */
async function storeFilePart(
  stream: Readable,
  part: FilePart,
  options: ReceiveUploadOptions,
  signal: AbortSignal,
): Promise<{ kind: FileKind; stored: StoredObject }> {
  const head = await readHead(stream, HEAD_BYTES, signal);
  const kind = sniffFileKind(head.subarray(0, HEAD_BYTES), part.fileName);
  if (!kind) {
    throw new AppError(
      "UNSUPPORTED_MEDIA_TYPE",
      "The file is neither an XLSX workbook nor a CSV text file (judged by its name and first bytes)",
      { file_name: part.fileName },
    );
  }
  signal.throwIfAborted();
  const body = byteLimit(options.maxFileBytes);
  // Destroying the body with an error makes putObject's upload fail, and lib-storage
  // then aborts its multipart upload: no part is left behind.
  const abort = () => body.destroy(signal.reason);
  signal.addEventListener("abort", abort, { once: true });
  try {
    body.write(head);
    stream.pipe(body);
    part.putStarted = true;
    const stored = await putObject(options.store, part.key, body, CONTENT_TYPES[kind]);
    return { kind, stored };
  } finally {
    signal.removeEventListener("abort", abort);
  }
}

/**
 * Parses the multipart body of `request`, storing its file part at
 * `objectKey(safeName)`. Resolves once the whole body is read and the object is
 * stored; rejects with an AppError (400, 413, 415, 503) after deleting anything
 * stored.
 */
export function receiveUpload(
  request: IncomingMessage,
  options: ReceiveUploadOptions,
): Promise<ReceivedUpload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: request.headers,
        defParamCharset: "utf8",
        limits: {
          // busboy reports `limit` when a file *reaches* fileSize, so one more than
          // the maximum: a file of exactly maxFileBytes is accepted.
          fileSize: options.maxFileBytes + 1,
          files: 1,
          // Room for a few unexpected fields, so they get a clear 400 of their own.
          fields: 10,
          fieldSize: 1024,
          parts: 20,
        },
      });
    } catch (error) {
      reject(new AppError("BAD_REQUEST", `Expected a multipart/form-data body: ${String(error)}`));
      return;
    }

    const controller = new AbortController();
    const fields: Record<string, string> = {};
    let part: FilePart | undefined;
    let parsed = false;
    let settling = false;
    let discarding: Promise<unknown> = Promise.resolve();
    const maxDiscardBytes =
      options.maxDiscardBytes ?? Math.max(2 * options.maxFileBytes, 16 * 1024 * 1024);

    const settle = async () => {
      if (settling || !(parsed || controller.signal.aborted)) return;
      settling = true;
      // Wait for the upload to end either way, so nothing is written after we answer.
      const outcome = await part?.storing?.catch(() => undefined);
      const failure: AppError | undefined = controller.signal.aborted
        ? controller.signal.reason
        : outcome
          ? undefined
          : new AppError("BAD_REQUEST", `A file part named "${options.fileField}" is required`);
      if (!failure && part && outcome) {
        resolve({
          fileName: part.fileName,
          ...outcome,
          contentType: CONTENT_TYPES[outcome.kind],
          fields,
        });
        return;
      }
      if (part?.putStarted) await deleteRefusedObject(options.store, part.key, options.logger);
      await discarding;
      reject(failure);
    };

    const fail = (error: AppError) => {
      if (controller.signal.aborted) return;
      controller.abort(error);
      // Stop parsing and throw the rest of the body away, answering once it ended
      // (or the bound was reached); the server's requestTimeout bounds a slow client.
      request.unpipe(parser);
      discarding = discardRequestBody(request, maxDiscardBytes).then((outcome) => {
        if (outcome === "limit") options.onBodyAbandoned?.();
      });
      void settle();
    };

    parser.on("field", (name, value, info) => {
      const check = options.fields[name];
      if (name === options.fileField) {
        return fail(new AppError("BAD_REQUEST", `"${name}" must be a file part, with a filename`));
      }
      if (!check) return fail(new AppError("BAD_REQUEST", `Unexpected multipart field "${name}"`));
      if (info.valueTruncated) return fail(new AppError("BAD_REQUEST", `"${name}" is too long`));
      if (name in fields) return fail(new AppError("BAD_REQUEST", `"${name}" was sent twice`));
      try {
        check(value);
        fields[name] = value;
      } catch (error) {
        fail(asUploadError(error));
      }
    });

    parser.on("file", (name, stream, info) => {
      if (name !== options.fileField || part) {
        stream.resume();
        return fail(
          new AppError("BAD_REQUEST", `Expected one file part named "${options.fileField}"`),
        );
      }
      const fileName = baseName(info.filename ?? "");
      const current: FilePart = {
        fileName,
        key: options.objectKey(safeFileName(fileName)),
        putStarted: false,
      };
      part = current;
      stream.once("limit", () => fail(fileTooLarge(options.maxFileBytes)));
      current.storing = storeFilePart(stream, current, options, controller.signal);
      current.storing.catch((error) => fail(asUploadError(error)));
    });

    const tooMany = () => fail(new AppError("BAD_REQUEST", "Too many parts in the upload"));
    parser.on("partsLimit", tooMany);
    parser.on("filesLimit", tooMany);
    parser.on("fieldsLimit", tooMany);
    parser.on("error", (error) =>
      fail(new AppError("BAD_REQUEST", `Malformed multipart body: ${(error as Error).message}`)),
    );
    parser.on("close", () => {
      parsed = true;
      void settle();
    });
    request.on("error", () => fail(new AppError("BAD_REQUEST", "The upload was interrupted")));
    request.on("close", () => {
      if (!request.complete) fail(new AppError("BAD_REQUEST", "The upload was interrupted"));
    });
    request.pipe(parser);
  });
}
