/**
 * A refusal decided early (415 from the first bytes, 413 part-way through)
 * reaches a client that writes its whole request body before reading anything,
 * as many HTTP clients do. The server keeps reading (and discarding) the rest of
 * the body, up to a bound, so such a client sees the status instead of a broken
 * pipe. The client here is a raw TCP socket: it writes every byte of the
 * request, waits until the last one is handed to the kernel, and only then
 * reads the response.
 */
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { countJobs, listKeys, startTestApi, type TestApi } from "./support/test-api";

const LIMIT = 256 * 1024;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A multipart body with one file part holding `file`. */
function multipart(file: Buffer, fileName: string): { boundary: string; body: Buffer } {
  const boundary = `----boundary${randomBytes(8).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="mode"\r\n\r\nstrict\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
      "Content-Type: application/octet-stream\r\n\r\n",
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { boundary, body: Buffer.concat([head, file, tail]) };
}

interface RawOutcome {
  /** Whether every byte of the request was written without an error. */
  wroteAll: boolean;
  /** The response's status line and body, or the socket error that came instead. */
  statusLine?: string;
  body?: string;
  error?: string;
}

/** POSTs `body` over a raw socket, writing all of it before reading anything. */
function postWholeBodyFirst(
  url: string,
  token: string,
  boundary: string,
  body: Buffer,
): Promise<RawOutcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.pause(); // read nothing until the whole request is written
    const received: Buffer[] = [];
    let wroteAll = false;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      const text = Buffer.concat(received).toString("latin1");
      const [head = "", rest = ""] = text.split("\r\n\r\n", 2);
      resolve({
        wroteAll,
        statusLine: head ? head.split("\r\n")[0] : undefined,
        body: rest || undefined,
        error: error?.message,
      });
      socket.destroy();
    };
    socket.on("error", finish);
    socket.on("connect", () => {
      const request = Buffer.concat([
        Buffer.from(
          "POST /api/admin/import-jobs/validate/ HTTP/1.1\r\n" +
            `Host: ${hostname}:${port}\r\n` +
            `Authorization: Bearer ${token}\r\n` +
            `Content-Type: multipart/form-data; boundary=${boundary}\r\n` +
            `Content-Length: ${body.length}\r\n` +
            "Connection: close\r\n\r\n",
        ),
        body,
      ]);
      // Written in 64 KiB pieces, each after the previous one was flushed.
      let offset = 0;
      const writeNext = () => {
        if (offset >= request.length) {
          wroteAll = true;
          socket.on("data", (chunk: Buffer) => received.push(chunk));
          socket.on("end", () => finish());
          socket.resume();
          return;
        }
        const piece = request.subarray(offset, offset + 64 * 1024);
        offset += piece.length;
        socket.write(piece, (error) => (error ? finish(error) : writeNext()));
      };
      writeNext();
    });
  });
}

describe("an early refusal reaches a client that writes its whole body first", () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ maxFileBytes: LIMIT });
  });
  afterAll(async () => {
    await api.close();
  });

  it("gets 415 for a 5 MB non-spreadsheet, after writing all of it; nothing is stored", async () => {
    const keysBefore = await listKeys(api.store);
    const jobsBefore = await countJobs(api.db);
    const file = Buffer.concat([PNG_SIGNATURE, randomBytes(5 * 1024 * 1024)]);
    const { boundary, body } = multipart(file, "photo.png");

    const outcome = await postWholeBodyFirst(api.url, api.tokens.importer, boundary, body);

    expect(outcome).toMatchObject({
      wroteAll: true,
      statusLine: "HTTP/1.1 415 Unsupported Media Type",
    });
    expect(JSON.parse(outcome.body ?? "{}")).toMatchObject({
      error: { code: "UNSUPPORTED_MEDIA_TYPE" },
    });
    expect(await listKeys(api.store)).toEqual(keysBefore);
    expect(await countJobs(api.db)).toBe(jobsBefore);
  });

  it("gets 413 for a CSV of 20 times the limit, after writing all of it; nothing is stored", async () => {
    const keysBefore = await listKeys(api.store);
    const jobsBefore = await countJobs(api.db);
    const line = Buffer.from("Ocaklar,Range,R-1\n");
    const file = Buffer.concat([
      Buffer.from("category,title_en,model_code\n"),
      Buffer.alloc(20 * LIMIT, line),
    ]);
    const { boundary, body } = multipart(file, "big.csv");

    const outcome = await postWholeBodyFirst(api.url, api.tokens.importer, boundary, body);

    expect(outcome).toMatchObject({ wroteAll: true, statusLine: "HTTP/1.1 413 Payload Too Large" });
    expect(JSON.parse(outcome.body ?? "{}")).toMatchObject({ error: { code: "FILE_TOO_LARGE" } });
    expect(await listKeys(api.store)).toEqual(keysBefore);
    expect(await countJobs(api.db)).toBe(jobsBefore);
  });
});
