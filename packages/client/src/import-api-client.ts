/**
 * A typed client of the catalog import API, built on the OpenAPI document the
 * API generates from its zod schemas (`../openapi.json` → `generated/api-types.ts`)
 * with openapi-fetch: every path, parameter and answer is checked by `tsc`
 * against the contract.
 */
import { openAsBlob } from "node:fs";
import { basename } from "node:path";
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./generated/api-types";

/** The job resource. */
export type Job = components["schemas"]["Job"];
export type JobStatus = Job["status"];
export type ImportMode = Job["mode"];
export type Summary = components["schemas"]["Summary"];
export type EntityCounts = components["schemas"]["EntityCounts"];
/** The error body's `error`. */
export type ApiErrorBody = components["schemas"]["Error"]["error"];

/** The raw openapi-fetch client, for any route. */
export type ImportApi = Client<paths>;

export interface ImportApiOptions {
  /** The API's base URL, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** A bearer token from `importctl tokens create`. */
  token: string;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

/** An error answer of the API (status, code, message, details). */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | undefined,
  ) {
    super(body ? `${body.code}: ${body.message}` : `HTTP ${status}`);
  }

  get code(): string | undefined {
    return this.body?.code;
  }
}

/** The typed client for `options.baseUrl`, authenticated with `options.token`. */
export function createImportApi(options: ImportApiOptions): ImportApi {
  return createClient<paths>({
    baseUrl: options.baseUrl,
    headers: { Authorization: `Bearer ${options.token}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** The data of a typed answer, or an ApiError for an error answer. */
export function unwrap<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.data !== undefined && answer.response.ok) return answer.data;
  const body = (answer.error as { error?: ApiErrorBody } | undefined)?.error;
  throw new ApiError(answer.response.status, body);
}

/** What to upload. */
export interface UploadRequest {
  /** Path of an XLSX or CSV file; it is streamed, never read whole. */
  path: string;
  mode?: ImportMode;
  /** Where the job's webhooks go. */
  callbackUrl?: string;
  /** The request's Idempotency-Key; a retry with the same key answers the same job. */
  idempotencyKey?: string;
  /** Called as the file's bytes are handed to the connection. */
  onProgress?: (sent: number, total: number) => void;
}

/**
 * Uploads a file and starts its validation: the new job (`created`, 202) or the
 * earlier one idempotency returned (200). The multipart body is encoded by the
 * platform (FormData over a file-backed Blob) and streamed, counting bytes.
 */
export async function uploadImport(
  api: ImportApi,
  request: UploadRequest,
): Promise<{ job: Job; created: boolean }> {
  const file = await openAsBlob(request.path);
  const form = new FormData();
  form.append("mode", request.mode ?? "strict");
  if (request.callbackUrl) form.append("callback_url", request.callbackUrl);
  form.append("file", file, basename(request.path));
  // A Response encodes the form (boundary and all) into a stream we can count.
  const encoded = new Response(form);
  const contentType = encoded.headers.get("content-type") ?? "multipart/form-data";
  const total = file.size;
  let sent = 0;
  const counted = encoded.body?.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        sent += chunk.byteLength;
        request.onProgress?.(Math.min(sent, total), total);
        controller.enqueue(chunk);
      },
    }),
  );
  const answer = await api.POST("/api/admin/import-jobs/validate/", {
    params: {
      header: request.idempotencyKey
        ? { "Idempotency-Key": `"${request.idempotencyKey.replace(/(["\\])/g, "\\$1")}"` }
        : {},
    },
    // The multipart schema describes the fields; the body sent is the encoded stream
    // (openapi-fetch only calls bodySerializer when a body is given).
    body: {} as never,
    bodySerializer: () => counted as never,
    headers: { "Content-Type": contentType },
    // Node's fetch needs this for a streamed request body.
    duplex: "half",
  } as never);
  const job = unwrap(answer as { data?: Job; error?: unknown; response: Response });
  request.onProgress?.(total, total);
  return { job, created: answer.response.status === 202 };
}

/** One job, by id. */
export async function getJob(api: ImportApi, id: string): Promise<Job> {
  return unwrap(await api.GET("/api/admin/import-jobs/{id}/", { params: { path: { id } } }));
}

/**
 * Polls the job until `done(job)` holds, calling `onJob` with every state seen
 * (for progress displays). `intervalMs` between polls.
 */
export async function waitForJob(
  api: ImportApi,
  id: string,
  options: {
    done: (job: Job) => boolean;
    onJob?: (job: Job) => void;
    intervalMs?: number;
    signal?: AbortSignal;
  },
): Promise<Job> {
  const interval = options.intervalMs ?? 250;
  for (;;) {
    const job = await getJob(api, id);
    options.onJob?.(job);
    if (options.done(job)) return job;
    options.signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** Requests the commit of a validated job. */
export async function commitJob(api: ImportApi, id: string, allowPartial = false): Promise<Job> {
  return unwrap(
    await api.POST("/api/admin/import-jobs/{id}/commit/", {
      params: { path: { id } },
      body: { allow_partial: allowPartial },
    }),
  );
}

/**
 * The job's XLSX report. The report is built after the status that asks for it
 * (validated; committed, whose report shows the result): while it is being
 * built the API answers 409 REPORT_NOT_READY with Retry-After, and this waits
 * that long (telling `onWaiting`) and asks again, up to `timeoutMs` (default 10
 * minutes). REPORT_FAILED, a job without a report, or the timeout: an ApiError.
 */
export async function downloadReport(
  api: ImportApi,
  id: string,
  options: {
    onWaiting?: (retryAfterS: number) => void;
    timeoutMs?: number;
    signal?: AbortSignal;
  } = {},
): Promise<Buffer> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  for (;;) {
    const answer = (await api.GET("/api/admin/import-jobs/{id}/report/", {
      params: { path: { id } },
      parseAs: "arrayBuffer",
    })) as { data?: ArrayBuffer; error?: unknown; response: Response };
    const code = (answer.error as { error?: ApiErrorBody } | undefined)?.error?.code;
    if (answer.response.status !== 409 || code !== "REPORT_NOT_READY" || Date.now() > deadline)
      return Buffer.from(unwrap(answer));
    const retryAfterS = Math.max(1, Number(answer.response.headers.get("retry-after")) || 5);
    options.onWaiting?.(retryAfterS);
    options.signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, retryAfterS * 1000));
  }
}
