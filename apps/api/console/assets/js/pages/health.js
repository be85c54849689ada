/**
 * Health: the depth of each import queue, jobs of the last 24 hours by status,
 * failures by code, stuck jobs and the latest failures (`GET /api/admin/health/`,
 * the same report as `importctl health`). Refreshed every 15 s.
 */
import { request } from "../api.js";
import { ErrorNotice, StatusBadge, TableRegion, useTitle } from "../components/common.js";
import { age, count, exactTime, JOB_STATUSES } from "../format.js";
import { html } from "../html.js";
import { usePoll } from "../poll.js";
import { href } from "../router.js";

function Queues({ queues, reason }) {
  if (!queues) return html`<p class="notice notice-error">Queue depths unavailable: ${reason}</p>`;
  const states = ["waiting", "active", "delayed", "failed"];
  return html`<${TableRegion} label="Queues">
    <table class="data compact" id="queue-depths">
      <caption>Queue depths (jobs per state)</caption>
      <thead>
        <tr>
          <th scope="col">Queue</th>
          ${states.map((state) => html`<th scope="col" class="num">${state}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${Object.entries(queues).map(
          ([name, depth]) => html`<tr>
            <th scope="row">${name}</th>
            ${states.map((state) => html`<td class="num">${count(depth[state])}</td>`)}
          </tr>`,
        )}
      </tbody>
    </table>
  <//>`;
}

function StatusCounts({ byStatus }) {
  const statuses = JOB_STATUSES.filter((status) => byStatus[status]);
  const total = statuses.reduce((sum, status) => sum + byStatus[status], 0);
  return html`<${TableRegion} label="Jobs by status">
    <table class="data compact" id="jobs-by-status">
      <caption>By status (${count(total)} ${total === 1 ? "job" : "jobs"})</caption>
      <thead>
        <tr><th scope="col">Status</th><th scope="col" class="num">Jobs</th></tr>
      </thead>
      <tbody>
        ${statuses.map(
          (status) => html`<tr>
            <th scope="row"><a href=${href("/jobs", { status })}>${status}</a></th>
            <td class="num">${count(byStatus[status])}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  <//>`;
}

function JobTable({ id, caption, jobs, empty }) {
  if (jobs.length === 0) return html`<p>${empty}</p>`;
  return html`<${TableRegion} label=${caption}>
    <table class="data" id=${id}>
      <caption>${caption}</caption>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Status</th>
          <th scope="col">Uploaded by</th>
          <th scope="col">Failure</th>
          <th scope="col">Last change</th>
        </tr>
      </thead>
      <tbody>
        ${jobs.map(
          (job) => html`<tr>
            <th scope="row"><a href=${href(`/jobs/${job.id}`)}>${job.file_name}</a></th>
            <td><${StatusBadge} status=${job.status} /></td>
            <td>${job.created_by}</td>
            <td>${job.failure_code ? html`<code>${job.failure_code}</code> ${job.failure_message}` : ""}</td>
            <td><time datetime=${job.updated_at} title=${exactTime(job.updated_at)}>${age(job.updated_at)}</time></td>
          </tr>`,
        )}
      </tbody>
    </table>
  <//>`;
}

export function HealthPage() {
  useTitle("Health");
  const { data, error } = usePoll(
    (signal) => request("/api/admin/health/", { signal }),
    "health",
    () => 15_000,
  );
  return html`
    <h1 tabindex="-1">Health</h1>
    <${ErrorNotice} error=${error} title="Could not load the health report" />
    ${
      data
        ? html`
          <section aria-labelledby="queues-title">
            <h2 id="queues-title">Queues</h2>
            <${Queues} queues=${data.queues} reason=${data.queues_error} />
          </section>
          <section aria-labelledby="last-day-title">
            <h2 id="last-day-title">Jobs created in the last 24 hours</h2>
            <div class="tables">
              <${StatusCounts} byStatus=${data.last_24h} />
              ${
                Object.keys(data.failures_by_code).length
                  ? html`<table class="data compact" id="failures-by-code">
                    <caption>Failures by code</caption>
                    <thead><tr><th scope="col">Code</th><th scope="col" class="num">Jobs</th></tr></thead>
                    <tbody>
                      ${Object.entries(data.failures_by_code).map(
                        ([code, n]) =>
                          html`<tr><th scope="row"><code>${code}</code></th><td class="num">${count(n)}</td></tr>`,
                      )}
                    </tbody>
                  </table>`
                  : null
              }
            </div>
          </section>
          <section aria-labelledby="stuck-title">
            <h2 id="stuck-title">Stuck jobs</h2>
            <p class="hint">Working jobs with no progress for more than ${count(data.stuck_after_s)} s.</p>
            <${JobTable} id="stuck-jobs" caption="Stuck jobs, oldest first" jobs=${data.stuck} empty="No job is stuck." />
          </section>
          <section aria-labelledby="failed-title">
            <h2 id="failed-title">Latest failures</h2>
            <${JobTable}
              id="recent-failures"
              caption="Failed jobs of the last 24 hours, newest first"
              jobs=${data.recent_failures}
              empty="No failed jobs in the last 24 hours."
            />
          </section>
        `
        : error
          ? null
          : html`<p role="status">Loading…</p>`
    }
  `;
}
