/**
 * The typed client (`@catalog/client`, generated from the committed OpenAPI
 * document) against the real API: a streamed upload with progress, typed reads
 * and list filters, and error answers as ApiError with their code. A route
 * whose shape drifted from the document would fail `tsc` here or these
 * assertions at run time.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  ApiError,
  commitJob,
  createImportApi,
  getJob,
  type ImportApi,
  uploadImport,
  unwrap,
} from "@catalog/client";
import { csvBytes, EMAIL, insertJob, startTestApi, type TestApi } from "./support/test-api";

describe("@catalog/client against the API", () => {
  let api: TestApi;
  let client: ImportApi;
  let dir: string;

  beforeAll(async () => {
    api = await startTestApi();
    client = createImportApi({ baseUrl: api.url, token: api.tokens.importer });
    dir = await mkdtemp(path.join(tmpdir(), "typed-client-"));
  });
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("uploads a file as a stream, reporting progress up to its size, with an Idempotency-Key", async () => {
    const file = path.join(dir, "catalog.csv");
    const bytes = csvBytes(200_000);
    await writeFile(file, bytes);
    const progress: number[] = [];
    const key = randomUUID();
    const { job, created } = await uploadImport(client, {
      path: file,
      mode: "smart",
      idempotencyKey: key,
      onProgress: (sent, total) => {
        expect(total).toBe(bytes.length);
        progress.push(sent);
      },
    });
    expect(created).toBe(true);
    expect(job).toMatchObject({ status: "pending", mode: "smart", file_name: "catalog.csv" });
    expect(job.file_size).toBe(bytes.length);
    expect(progress.at(-1)).toBe(bytes.length);
    expect(progress.length).toBeGreaterThan(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);

    const again = await uploadImport(client, { path: file, mode: "smart", idempotencyKey: key });
    expect(again).toMatchObject({ created: false, job: { id: job.id } });
    expect((await getJob(client, job.id)).id).toBe(job.id);
  });

  it("lists with several statuses through typed query parameters", async () => {
    const failed = await insertJob(api.db, { status: "failed", created_by: EMAIL.admin });
    const validated = await insertJob(api.db, { status: "validated", created_by: EMAIL.admin });
    const page = unwrap(
      await client.GET("/api/admin/import-jobs/", {
        params: { query: { status: ["failed", "validated"], created_by: EMAIL.admin, limit: 1 } },
      }),
    );
    expect(page.total).toBe(2);
    expect(page.items.map((job) => job.id)).toEqual([validated.id]);
    expect(page.next).toEqual(expect.stringContaining("cursor="));
    const rest = unwrap(
      await client.GET("/api/admin/import-jobs/", {
        params: {
          query: {
            status: ["failed", "validated"],
            created_by: EMAIL.admin,
            cursor: new URL(page.next ?? "").searchParams.get("cursor") ?? "",
          },
        },
      }),
    );
    expect(rest.items.map((job) => job.id)).toEqual([failed.id]);
    expect(rest.next).toBeNull();
  });

  it("turns error answers into ApiError with the status and code", async () => {
    const job = await insertJob(api.db, { status: "failed" });
    const refused = await commitJob(client, job.id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 409, code: "INVALID_STATE" });
    const missing = await getJob(client, randomUUID()).catch((error: unknown) => error);
    expect(missing).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });
});
