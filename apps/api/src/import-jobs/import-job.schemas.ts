/**
 * What the import-job routes accept: path parameters, query strings and JSON
 * bodies, as zod schemas. Unknown query parameters and body fields are refused
 * (400) rather than ignored, so a typo such as `?stauts=failed` does not
 * silently return every job.
 */
import { CHANGE_ACTIONS, CHANGE_ENTITIES } from "@catalog/core";
import { IMPORT_MODES, JOB_STATUSES } from "@catalog/db";
import { z } from "zod";
import { AppError } from "../errors";

/** An integer from a query string, within [min, max]. */
const queryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** An ISO 8601 date (`2024-05-01`, midnight UTC) or date-time with offset (`2024-05-01T10:00:00Z`). */
const queryInstant = (description: string) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })])
    .transform((value) => new Date(value))
    .meta({ description });

/** One value or several (`?status=a&status=b`), always a list once parsed. */
const oneOrMany = <Schema extends z.ZodType>(schema: Schema) =>
  z
    .union([schema, z.array(schema).min(1)])
    .transform((value) => (Array.isArray(value) ? value : [value]) as z.output<Schema>[]);

/** `:id` of every per-job route. */
export const jobIdParams = z.object({
  id: z.uuid({ error: "id must be a UUID" }).meta({ description: "The import job's id" }),
});

/** Query of `GET /api/admin/import-jobs/`. */
export const jobListQuery = z.strictObject({
  status: oneOrMany(z.enum(JOB_STATUSES))
    .optional()
    .meta({ description: "Jobs in any of these statuses (repeat the parameter for several)" }),
  mode: z.enum(IMPORT_MODES).optional(),
  created_by: z
    .string()
    .min(1)
    .max(320)
    .optional()
    .meta({ description: "The creator's email (the token's)" }),
  file_hash: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "file_hash must be a hex SHA-256")
    .transform((hash) => hash.toLowerCase())
    .optional()
    .meta({ description: "SHA-256 of the uploaded file, hex (any case)" }),
  created_after: queryInstant("Jobs created strictly after this instant").optional(),
  created_before: queryInstant("Jobs created strictly before this instant").optional(),
  limit: queryInt(1, 500).default(50),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER)
    .default(0)
    .meta({ description: "Rows to skip; not with `cursor`" }),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, "cursor must be the value of a `next` link")
    .optional()
    .meta({
      description:
        "Opaque position from a page's `next` link: the page after it, stable while jobs are added",
    }),
});

/** Query of `GET /api/admin/import-jobs/<id>/issues/`. */
export const issueListQuery = z.strictObject({
  severity: z.enum(["error", "warning"]).optional(),
  code: z.string().min(1).max(100).optional(),
  /** The issue's column: a canonical name (`price`), or a header as written for a header issue. */
  column: z.string().min(1).max(200).optional(),
  limit: queryInt(1, 10_000).default(100),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
});

/** Query of `GET /api/admin/import-jobs/<id>/changes/`. */
export const changeListQuery = z.strictObject({
  entity: oneOrMany(z.enum(CHANGE_ENTITIES))
    .optional()
    .meta({ description: "Changes to these entities only (repeat for several)" }),
  action: oneOrMany(z.enum(CHANGE_ACTIONS))
    .optional()
    .meta({ description: "create or update (candidates are creates)" }),
  limit: queryInt(1, 10_000).default(100),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
});

/** JSON body of `POST /api/admin/import-jobs/<id>/commit/` (an empty body means the defaults). */
export const commitBody = z
  .strictObject({ allow_partial: z.boolean().default(false) })
  .meta({ id: "CommitRequest" });

/** The upload's `mode` field. */
export const uploadMode = z.enum(IMPORT_MODES, { error: "mode must be strict or smart" }).meta({
  description: "strict: unknown categories, series and brands are errors; smart: candidates",
});

/**
 * The upload's optional `callback_url` field: where the job's webhooks go
 * (Standard Webhooks). The host allow-list for `http://` is configuration,
 * checked by the upload route.
 */
export const callbackUrl = z
  .url({ protocol: /^https?$/, error: "callback_url must be an http(s) URL" })
  .max(2048)
  .meta({
    description:
      "Receives a signed POST (Standard Webhooks) on every terminal status of the job: " +
      "https://, or http:// to a host in WEBHOOK_ALLOWED_HOSTS (default 127.0.0.1, localhost); " +
      "anything else is 400 INVALID_CALLBACK_URL and no job",
  });

/** The multipart body of `POST /api/admin/import-jobs/validate/`, as documented. */
export const uploadForm = z
  .object({
    file: z.string().meta({
      contentMediaType: "application/octet-stream",
      description: "An XLSX workbook or a CSV file, at most MAX_FILE_BYTES",
    }),
    mode: uploadMode.default("strict"),
    callback_url: callbackUrl.optional(),
  })
  .meta({ id: "Upload" });

/**
 * `Idempotency-Key` header (IETF draft httpapi-idempotency-key-header): a
 * Structured Field String (`"…"`), or for clients that send it bare, the same
 * characters unquoted; 1–255 characters either way. Parsed to the key itself.
 * Absent means the upload is idempotent by file hash only.
 */
export const idempotencyKey = z
  .string()
  .regex(
    /^(?:"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\\"]){1,255}"|[\x21\x23-\x7e]{1,255})$/,
    "Idempotency-Key must be a quoted string or 1-255 visible ASCII characters",
  )
  .transform((value) =>
    value.startsWith('"') ? value.slice(1, -1).replace(/\\(["\\])/g, "$1") : value,
  )
  .optional()
  .meta({
    description:
      'A key the client chooses per upload (an sf-string such as `"8e03978e"`, or bare). ' +
      "The same key with the same request answers the first job (200); with a different " +
      "file, mode, file name or callback_url, 422. Keys expire after IDEMPOTENCY_KEY_TTL_HOURS.",
  });

/** Parses `input` with `schema` or throws 400 BAD_REQUEST listing what is wrong. */
export function parseRequest<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  what: string,
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.join("."),
    message: issue.message,
  }));
  throw new AppError("BAD_REQUEST", `Invalid ${what}: ${issues[0]?.message ?? "malformed"}`, {
    issues,
  });
}
