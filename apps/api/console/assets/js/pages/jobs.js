/**
 * The jobs list: newest first, filtered by status and uploader, paged by the
 * API (`limit`/`offset`), updated live: every second while a job on the page
 * moves (backing off while nothing changes), every 5 to 20 s otherwise, so
 * new uploads appear too.
 */
import { useState } from "preact/hooks";
import { JOBS, request, withQuery } from "../api.js";
import {
  ErrorNotice,
  FilterForm,
  PagedTable,
  StatusBadge,
  useTitle,
} from "../components/common.js";
import { age, count, exactTime, JOB_STATUSES, MOVING_STATUSES } from "../format.js";
import { html } from "../html.js";
import { movingDelay, usePoll } from "../poll.js";
import { href, navigate } from "../router.js";

const PAGE_SIZE = 25;

/** Creates and updates: as applied once committed, as planned before. */
function changeCounts(job) {
  const counts = job.result ?? job.summary;
  if (!counts?.products || !counts?.variants) return { creates: null, updates: null };
  return {
    creates: counts.products.create + counts.variants.create,
    updates: counts.products.update + counts.variants.update,
  };
}

function JobRow({ job, now }) {
  const { creates, updates } = changeCounts(job);
  return html`<tr>
    <th scope="row"><a href=${href(`/jobs/${job.id}`)}>${job.file_name}</a></th>
    <td><${StatusBadge} status=${job.status} /></td>
    <td>${job.mode}</td>
    <td>${job.created_by}</td>
    <td class="num">${count(job.summary?.rows.total)}</td>
    <td class="num">${count(job.summary?.errors)}</td>
    <td class="num">${count(job.summary?.warnings)}</td>
    <td class="num">${count(creates)}</td>
    <td class="num">${count(updates)}</td>
    <td><time datetime=${job.created_at} title=${exactTime(job.created_at)}>${age(job.created_at, now)}</time></td>
  </tr>`;
}

function Filters({ status, createdBy }) {
  const [draftStatus, setDraftStatus] = useState(status);
  const [draftUser, setDraftUser] = useState(createdBy);
  const clear = () => {
    setDraftStatus("");
    setDraftUser("");
    navigate("/jobs");
  };
  return html`<${FilterForm}
    label="Filter jobs"
    onApply=${() => navigate("/jobs", { status: draftStatus, created_by: draftUser.trim() })}
    onClear=${clear}
  >
    <div class="field">
      <label for="filter-status">Status</label>
      <select id="filter-status" value=${draftStatus} onChange=${(e) => setDraftStatus(e.currentTarget.value)}>
        <option value="">Any status</option>
        ${JOB_STATUSES.map((value) => html`<option value=${value}>${value}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="filter-user">Uploaded by</label>
      <input
        id="filter-user"
        type="text"
        inputmode="email"
        autocomplete="off"
        placeholder="name@example.com"
        value=${draftUser}
        onInput=${(e) => setDraftUser(e.currentTarget.value)}
      />
    </div>
  <//>`;
}

export function JobsPage({ query }) {
  useTitle("Jobs");
  const status = query.get("status") ?? "";
  const createdBy = query.get("created_by") ?? "";
  const offset = Math.max(0, Number(query.get("offset")) || 0);
  const path = withQuery(`${JOBS}/`, {
    status,
    created_by: createdBy,
    limit: PAGE_SIZE,
    offset,
  });
  const { data, error, stale } = usePoll(
    (signal) => request(path, { signal }),
    path,
    (page, unchanged) =>
      page.items.some((job) => MOVING_STATUSES.has(job.status))
        ? movingDelay(unchanged)
        : Math.min(20_000, 5_000 * 1.5 ** unchanged),
  );
  const now = Date.now();
  const filtered = Boolean(status || createdBy);

  return html`
    <h1 tabindex="-1">Import jobs</h1>
    <${Filters} key=${`${status}|${createdBy}`} status=${status} createdBy=${createdBy} />
    <${ErrorNotice} error=${error} title="Could not load the jobs" />
    <${PagedTable}
      label="Jobs"
      className="jobs-table"
      page=${data}
      stale=${stale}
      error=${error}
      caption=${data ? `${count(data.total)} ${data.total === 1 ? "job" : "jobs"}${filtered ? " matching the filters" : ""}, newest first` : ""}
      head=${[["File"], ["Status"], ["Mode"], ["Uploaded by"], ["Rows", true], ["Errors", true], ["Warnings", true], ["Creates", true], ["Updates", true], ["Age"]]}
      row=${(job) => html`<${JobRow} key=${job.id} job=${job} now=${now} />`}
      empty=${filtered ? "No jobs match these filters." : "No jobs yet."}
      offset=${offset}
      limit=${PAGE_SIZE}
      onPage=${(next) => navigate("/jobs", { status, created_by: createdBy, offset: next })}
    />
  `;
}
