/**
 * What the import-job routes accept: path parameters, query strings and JSON
 * bodies, as zod schemas. Unknown query parameters and body fields are refused
 * (400) rather than ignored, so a typo such as `?stauts=failed` does not
 * silently return every job.
 */
import { IMPORT_MODES, JOB_STATUSES } from "@catalog/db";
import { z } from "zod";
import { AppError } from "../errors";

/** A non-negative integer from a query string. */
const queryInt = (min: number, max: number) =>
  z.coerce.number().pipe(z.number().int().min(min).max(max));

/** `:id` of every per-job route. */
export const jobIdParams = z.object({ id: z.uuid({ error: "id must be a UUID" }) });

/** Query of `GET /api/admin/import-jobs/`. */
export const jobListQuery = z.strictObject({
  status: z.enum(JOB_STATUSES).optional(),
  mode: z.enum(IMPORT_MODES).optional(),
  created_by: z.string().min(1).max(320).optional(),
  file_hash: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "file_hash must be a hex SHA-256")
    .transform((hash) => hash.toLowerCase())
    .optional(),
  /** An ISO 8601 date (`2024-05-01`) or date-time with offset (`2024-05-01T10:00:00Z`). */
  created_after: z
    .union([z.iso.date(), z.iso.datetime({ offset: true })])
    .transform((value) => new Date(value))
    .optional(),
  limit: queryInt(1, 500).default(50),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
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

/** JSON body of `POST /api/admin/import-jobs/<id>/commit/` (an empty body means the defaults). */
export const commitBody = z.strictObject({ allow_partial: z.boolean().default(false) });

/** The upload's `mode` field. */
export const uploadMode = z.enum(IMPORT_MODES, { error: "mode must be strict or smart" });

/**
 * `Idempotency-Key` header: 1–255 visible ASCII characters. Absent means the
 * upload is idempotent by file hash only.
 */
export const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, "Idempotency-Key must be 1-255 visible ASCII characters")
  .optional();

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
