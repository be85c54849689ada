/**
 * One job: its state (polled while it moves), the failure or refusal if any,
 * the actions the operator's role may take, and three sections: the overview
 * (summary and candidates), the issues and the planned changes.
 */
import { useRef } from "preact/hooks";
import { JOBS, request } from "../api.js";
import { ErrorNotice, StatusBadge, useTitle } from "../components/common.js";
import { age, count, exactTime, MOVING_STATUSES, STATUS_TEXT, splitEntityKey } from "../format.js";
import { html } from "../html.js";
import { movingDelay, usePoll } from "../poll.js";
import { href } from "../router.js";
import { JobActions } from "./job-actions.js";
import { JobChanges } from "./job-changes.js";
import { JobIssues } from "./job-issues.js";
import { JobOverview } from "./job-overview.js";

/** How long after an action the job is polled as if it moved (the worker may not have picked it up yet). */
const AFTER_ACTION_MS = 60_000;

const PHASE_TEXT = {
  upload: "Uploaded",
  validate: "Validating",
  commit: "Committing",
  revert: "Reverting",
};

function JobProgress({ job }) {
  if (!MOVING_STATUSES.has(job.status)) return null;
  const progress = job.progress ?? {};
  const total = progress.total || 0;
  const done = progress.done || 0;
  const waiting = job.status === "pending";
  const label = waiting
    ? "Waiting for a worker"
    : `${PHASE_TEXT[progress.phase] ?? "Working"}: ${count(done)} of ${count(total)} rows`;
  return html`<div class="progress-block">
    <label for="job-progress">${label}</label>
    ${
      waiting || !total
        ? html`<progress id="job-progress"></progress>`
        : html`<progress id="job-progress" max=${total} value=${done}></progress>`
    }
  </div>`;
}

/** The last revert refused for rows written since, with the keys of those rows. */
function RevertRefused({ refusal }) {
  const conflicts = refusal.details?.conflicts ?? [];
  return html`<section class="notice notice-error" aria-labelledby="revert-refused-title">
    <h2 id="revert-refused-title">Revert refused</h2>
    <p>
      ${refusal.message}
      <span class="hint"> (<time datetime=${refusal.at} title=${exactTime(refusal.at)}>${age(refusal.at)}</time>)</span>
    </p>
    <p>
      These rows were changed after this import wrote them (by a later import or by hand). Revert
      the later import first, or put the rows back, then try again:
    </p>
    <ul class="conflicts" aria-label="Conflicting rows">
      ${conflicts.map((text) => {
        const { entity, key } = splitEntityKey(text);
        return html`<li><span class="entity">${entity}</span> <code>${key}</code></li>`;
      })}
    </ul>
  </section>`;
}

function JobFailure({ job }) {
  const { failure, revert_refusal: refusal } = job;
  if (refusal && (job.status === "success" || job.status === "partial"))
    return html`<${RevertRefused} refusal=${refusal} />`;
  if (!failure || job.status !== "failed") return null;
  return html`<section class="notice notice-error" aria-labelledby="failure-title">
    <h2 id="failure-title">Failed: <code>${failure.code}</code></h2>
    <p>${failure.message}</p>
    ${
      failure.details
        ? html`<details>
          <summary>Details</summary>
          <pre>${JSON.stringify(failure.details, null, 2)}</pre>
        </details>`
        : null
    }
  </section>`;
}

function JobFacts({ job }) {
  const fact = (term, value) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`;
  const time = (iso) =>
    iso ? html`<time datetime=${iso} title=${age(iso)}>${exactTime(iso)}</time>` : "–";
  return html`<dl class="facts">
    ${fact("Status", html`<${StatusBadge} status=${job.status} /> <span class="hint">${STATUS_TEXT[job.status]}</span>`)}
    ${fact("Mode", job.mode)} ${fact("Uploaded by", job.created_by)}
    ${fact("Uploaded", time(job.created_at))} ${fact("Validated", time(job.validated_at))}
    ${fact("Completed", time(job.completed_at))}
    ${fact("Job id", html`<code>${job.id}</code>`)}
    ${job.revalidated_from ? fact("Revalidation of", html`<a href=${href(`/jobs/${job.revalidated_from}`)}>an earlier job</a>`) : null}
  </dl>`;
}

function Tabs({ job, tab }) {
  const base = `/jobs/${job.id}`;
  const link = (name, path, label) =>
    html`<li><a href=${href(path)} aria-current=${tab === name ? "page" : undefined}>${label}</a></li>`;
  const issues = job.summary ? ` (${count(job.summary.errors + job.summary.warnings)})` : "";
  return html`<nav class="tabs" aria-label="Job sections">
    <ul>
      ${link("overview", base, "Overview")} ${link("issues", `${base}/issues`, `Issues${issues}`)}
      ${link("changes", `${base}/changes`, "Planned changes")}
    </ul>
  </nav>`;
}

export function JobPage({ id, tab, query, can }) {
  const actedAt = useRef(0);
  const {
    data: job,
    error,
    refresh,
  } = usePoll(
    (signal) => request(`${JOBS}/${id}/`, { signal }),
    id,
    (current, unchanged) => {
      // A report being built is polled too, so its download turns on when it is ready.
      if (
        MOVING_STATUSES.has(current.status) ||
        current.report_status === "pending" ||
        Date.now() - actedAt.current < AFTER_ACTION_MS
      )
        return movingDelay(unchanged);
      // Someone else may commit or revert it: look again now and then.
      return Math.min(30_000, 10_000 * 1.5 ** unchanged);
    },
  );
  useTitle(job ? `${job.file_name} (${job.status})` : "Job");
  const acted = () => {
    actedAt.current = Date.now();
    refresh();
  };

  if (!job) {
    return html`<h1 tabindex="-1">Job</h1>
      ${error ? html`<${ErrorNotice} error=${error} title="Could not load the job" />` : html`<p role="status">Loading the job…</p>`}`;
  }
  return html`
    <nav aria-label="Breadcrumb" class="breadcrumb"><a href=${href("/jobs")}>Jobs</a> <span aria-hidden="true">›</span> ${job.file_name}</nav>
    <h1 tabindex="-1">${job.file_name}</h1>
    ${query.get("reused") ? html`<p class="notice" role="status">This file was already uploaded in this mode and is still waiting for a commit: this is that job.</p>` : null}
    <p class="visually-hidden" aria-live="polite">Status: ${job.status}</p>
    <${ErrorNotice} error=${error} title="Could not refresh the job" />
    <${JobFacts} job=${job} />
    <${JobProgress} job=${job} />
    <${JobFailure} job=${job} />
    <${JobActions} job=${job} can=${can} onActed=${acted} />
    <${Tabs} job=${job} tab=${tab} />
    ${tab === "overview" ? html`<${JobOverview} job=${job} />` : null}
    ${tab === "issues" ? html`<${JobIssues} job=${job} query=${query} />` : null}
    ${tab === "changes" ? html`<${JobChanges} job=${job} query=${query} />` : null}
  `;
}
