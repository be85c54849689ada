/**
 * What the API answers, as zod schemas: the source of the OpenAPI document's
 * response schemas (and through it of `packages/client`'s types). The job
 * resource is built by `toJobResource` in @catalog/jobs; the type assertions at
 * the end of this file make `tsc` fail when that function and this schema
 * disagree, so the document cannot drift from what the routes send.
 */
import {
  CANONICAL_COLUMNS,
  CHANGE_ACTIONS,
  CHANGE_ENTITIES,
  ISSUE_CODES,
  type IssueCode,
} from "@catalog/core";
import { IMPORT_MODES, JOB_STATUSES, REPORT_STATUSES, ROLES } from "@catalog/db";
import {
  FAILURE_CODES,
  type JobHealthReport,
  type JobResource,
  type WebhookDelivery,
} from "@catalog/jobs";
import { z } from "zod";
import { ERROR_STATUS } from "../errors";

const count = z.number().int().min(0);
const instant = z.iso.datetime();
const url = z.url();

/** `{"error": {code, message, details?}}`, the one error shape. */
export const errorResponse = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS]),
      message: z.string(),
      details: z
        .unknown()
        .optional()
        .meta({ description: "Code-specific detail, e.g. the invalid query parameters" }),
    }),
  })
  .meta({ id: "Error" });

const changeCounts = z
  .object({ create: count, update: count, unchanged: count })
  .meta({ id: "ChangeCounts" });

const candidateCounts = z.object({ categories: count, series: count, brands: count });

/** Candidates, products and variants: the preview's counts, and the result's as applied. */
export const entityCounts = z
  .object({ candidates: candidateCounts, products: changeCounts, variants: changeCounts })
  .meta({ id: "EntityCounts" });

export const summarySchema = z
  .object({
    rows: z.object({ total: count, valid: count, with_errors: count, with_warnings: count }),
    errors: count,
    warnings: count,
    candidates: candidateCounts,
    products: changeCounts,
    variants: changeCounts,
  })
  .meta({ id: "Summary" });

const lookup = z.object({ expected: count, found: count, missing: z.array(z.string()) });

export const dbVerifySchema = z
  .object({
    enabled: z.literal(true),
    created_entities_found_in_db: z.boolean(),
    verification_details: z.object({ products: lookup, variants: lookup }),
    created_product_slugs: z.array(z.string()),
    created_variant_model_codes: z.array(z.string()),
  })
  .meta({
    id: "DbVerify",
    description: "Every created product and variant looked up after commit",
  });

export const progressSchema = z
  .object({
    phase: z.enum(["upload", "validate", "commit", "revert"]),
    done: count,
    total: count,
    retry: z
      .object({
        attempt: z.number().int().min(1).meta({ description: "The attempt that failed" }),
        code: z.string().meta({ description: "Why it failed: a failure code" }),
        message: z.string(),
        next_attempt_at: instant,
      })
      .optional()
      .meta({
        description:
          "While a failed attempt waits for its retry (the job is pending, or validated with its commit requested)",
      }),
  })
  .meta({ id: "Progress", description: "Bytes for upload; rows or changes for the others" });

/** The job resource (SPEC §8): every route that returns a job returns this. */
export const jobSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(JOB_STATUSES),
    mode: z.enum(IMPORT_MODES),
    file_name: z.string(),
    file_size: count,
    file_hash: z.string().meta({ description: "SHA-256 of the uploaded bytes (hex)" }),
    snapshot_hash: z.string().nullable(),
    created_by: z.string(),
    created_at: instant,
    started_at: instant.nullable(),
    validated_at: instant.nullable(),
    completed_at: instant.nullable(),
    progress: progressSchema.nullable(),
    failure: z
      .object({
        code: z.string().meta({ description: `One of ${FAILURE_CODES.join(", ")}` }),
        message: z.string(),
        details: z.unknown(),
      })
      .nullable()
      .meta({
        description:
          "Why the job failed (`failure_code`); null otherwise. STORAGE_UNAVAILABLE, DATABASE_UNAVAILABLE and QUEUE_UNAVAILABLE: an outage outlasted the retries (retryable: commit again, or revalidate)",
      }),
    revert_refusal: z
      .object({ code: z.string(), message: z.string(), details: z.unknown(), at: instant })
      .nullable()
      .meta({
        description:
          "Why the last revert was refused (the job keeps its status); details.conflicts lists the keys a later change touched",
      }),
    summary: summarySchema.nullable(),
    result: entityCounts.nullable().meta({ description: "Counts as applied by commit" }),
    db_verify: dbVerifySchema.nullable(),
    report_status: z
      .enum(REPORT_STATUSES)
      .nullable()
      .meta({
        description:
          "Whether the XLSX report (links.report) of the job's current state can be downloaded. " +
          "The report is built by queue work after the status that asks for it: `pending` from " +
          "`validated` (and again from `success`/`partial`, for the report with the commit's " +
          "result and db_verify) until it is stored, then `ready`; `failed` when it can never " +
          "be built. Null: the job has no report (it never validated).",
      }),
    report_requested_at: instant
      .nullable()
      .meta({ description: "When the report now pending or ready was asked for" }),
    report_ready_at: instant.nullable().meta({
      description: "When the report of the job's current state was stored; null until ready",
    }),
    revalidated_from: z.uuid().nullable(),
    links: z.object({
      self: url,
      issues: url,
      report: url,
      commit: url,
      revert: url,
      revalidate: url,
    }),
  })
  .meta({ id: "Job" });

/** One row-level issue of a job's validation. */
export const issueSchema = z
  .object({
    row: z.number().int().nullable().meta({ description: "Line number in the file" }),
    column: z
      .string()
      .nullable()
      .meta({
        description:
          "The canonical column (`specs` for too many specs), or the header as written for an " +
          "unknown or duplicate column",
        examples: [...CANONICAL_COLUMNS, "specs"],
      }),
    code: z.enum(Object.keys(ISSUE_CODES) as [IssueCode, ...IssueCode[]]),
    severity: z.enum(["error", "warning"]),
    message: z.string(),
    value: z.unknown().meta({ description: "The offending cell value" }),
  })
  .meta({ id: "Issue" });

const pageFields = { total: count, limit: count, offset: count };

export const jobPageSchema = z
  .object({
    items: z.array(jobSchema),
    ...pageFields,
    next: url.nullable().meta({
      description:
        "The next page (cursor pagination, same filters and limit); null on the last page",
    }),
  })
  .meta({ id: "JobPage" });

export const issuePageSchema = z
  .object({ items: z.array(issueSchema), ...pageFields })
  .meta({ id: "IssuePage" });

/** One planned (or applied) change of the catalog. */
export const changeSchema = z
  .object({
    entity: z.enum(CHANGE_ENTITIES),
    key: z.string().meta({ description: "The slug, or the variant's model code" }),
    action: z.enum(CHANGE_ACTIONS),
    candidate: z.boolean().meta({
      description: "A category, series or brand created because valid rows name it (smart mode)",
    }),
    rows: z.array(z.number().int()).meta({ description: "The file's lines that produce it" }),
    fields: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })).meta({
      description:
        "Each field it sets, `{before, after}`: every field of a create (before null), the " +
        "fields an update changes (specs merge key by key; an empty cell never erases)",
    }),
  })
  .meta({ id: "Change" });

export const changePageSchema = z
  .object({
    items: z.array(changeSchema),
    ...pageFields,
    source: z
      .enum(["planned", "applied"])
      .nullable()
      .meta({
        description:
          "planned: what commit will apply; applied: what commit applied (success, partial, " +
          "and reverted jobs, before their revert); null: no plan yet (not validated)",
      }),
  })
  .meta({ id: "ChangePage" });

/** One webhook event of a job and every attempt to deliver it. */
export const deliverySchema = z
  .object({
    id: z.string().meta({ description: "The webhook-id header, the same on every attempt" }),
    type: z.string().meta({ description: "import_job.<status>" }),
    callback_url: z.string(),
    state: z.enum(["pending", "delivered", "failed"]).meta({
      description: "pending: being retried; delivered: a 2xx came back; failed: gave up",
    }),
    created_at: instant,
    completed_at: instant.nullable(),
    attempts: z.array(
      z.object({
        attempt: z.number().int().min(1),
        started_at: instant,
        duration_ms: count,
        status_code: z
          .number()
          .int()
          .nullable()
          .meta({ description: "null when no answer came (timeout, refused connection)" }),
        error: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "WebhookDelivery" });

export const deliveryListSchema = z
  .object({ items: z.array(deliverySchema) })
  .meta({ id: "WebhookDeliveryList" });

/** The body of a webhook POST (Standard Webhooks). */
export const webhookEventSchema = z
  .object({
    type: z.string().meta({ description: "import_job.<status>, e.g. import_job.validated" }),
    timestamp: instant.meta({ description: "When the status changed" }),
    data: jobSchema,
  })
  .meta({ id: "WebhookEvent" });

export const readinessSchema = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    checks: z.object({ postgres: z.string(), redis: z.string(), s3: z.string() }),
  })
  .meta({ id: "Readiness" });

export const livenessSchema = z.object({ status: z.literal("ok") });

/** Who a token belongs to (`GET /api/admin/me/`). */
export const principalSchema = z
  .object({ email: z.string(), role: z.enum(ROLES) })
  .meta({ id: "Principal" });

const queueDepthSchema = z
  .object({ waiting: count, active: count, delayed: count, failed: count })
  .meta({ id: "QueueDepth" });

const healthJobSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(JOB_STATUSES),
    file_name: z.string(),
    created_by: z.string(),
    failure_code: z.string().nullable(),
    failure_message: z.string().nullable(),
    created_at: instant,
    updated_at: instant,
  })
  .meta({ id: "HealthJob" });

/** The health report (`GET /api/admin/health/`), `importctl health`'s plus the queues. */
export const healthSchema = z
  .object({
    queues: z
      .object({
        validate: queueDepthSchema,
        commit: queueDepthSchema,
        revert: queueDepthSchema,
        report: queueDepthSchema,
      })
      .nullable()
      .meta({ description: "Jobs in each import queue by state; null when Redis is unavailable" }),
    queues_error: z.string().optional().meta({ description: "Why `queues` is null" }),
    last_24h: z
      .record(z.string(), count)
      .meta({ description: "Jobs created in the last 24 hours, by status" }),
    failures_by_code: z
      .record(z.string(), count)
      .meta({ description: "Failed jobs of the last 24 hours, by failure code" }),
    stuck_after_s: count.meta({ description: "STUCK_AFTER_S" }),
    stuck: z.array(healthJobSchema).meta({
      description: "Working jobs with no progress for longer than stuck_after_s, oldest first",
    }),
    recent_failures: z.array(healthJobSchema).meta({
      description: "The latest failed jobs of the last 24 hours (at most 20), newest first",
    }),
  })
  .meta({ id: "Health" });

// The health report as built (JobHealthReport) and as documented must be the same type.
const healthMatchesSchema: Same<
  JobHealthReport,
  Omit<z.output<typeof healthSchema>, "queues" | "queues_error">
> = true;
void healthMatchesSchema;

// The deliveries as listed (WebhookDelivery) and as documented must be the same type.
const deliveryMatchesSchema: Same<WebhookDelivery, z.output<typeof deliverySchema>> = true;
void deliveryMatchesSchema;

// The job resource as built (JobResource) and as documented must be the same type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const jobResourceMatchesSchema: Same<JobResource, z.output<typeof jobSchema>> = true;
void jobResourceMatchesSchema;
