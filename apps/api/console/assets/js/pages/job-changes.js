/**
 * A job's planned changes (or, once committed, the applied ones), from
 * `GET .../changes/`: every create and update with its fields as before →
 * after, filtered by entity and action and paged by the API; and the list of
 * candidates (the categories, series and brands a smart import creates).
 */
import { useState } from "preact/hooks";
import { JOBS, request, withQuery } from "../api.js";
import { ErrorNotice, FilterForm, PagedTable, TableRegion } from "../components/common.js";
import { count, valueText } from "../format.js";
import { html } from "../html.js";
import { usePoll } from "../poll.js";
import { navigate } from "../router.js";

const PAGE_SIZE = 50;
const CANDIDATE_LIMIT = 500;
const ENTITIES = ["category", "series", "brand", "product", "variant"];
const ACTIONS = ["create", "update"];

/** A field value as shown in a diff: `(empty)` for null, JSON for specs. */
function Value({ value, kind }) {
  const text = valueText(value);
  const className = kind === "before" ? "diff-before" : "diff-after";
  const Tag = kind === "before" ? "del" : "ins";
  return html`<${Tag} class=${className}><span class="visually-hidden">${kind}: </span>${text === "" ? html`<em>(empty)</em>` : text}<//>`;
}

/** The fields of one change: `name: before → after` for an update, `name: value` for a create. */
function Fields({ change }) {
  const entries = Object.entries(change.fields ?? {});
  if (entries.length === 0) return html`<span class="hint">no field changes</span>`;
  return html`<ul class="change-fields">
    ${entries.map(
      ([name, diff]) => html`<li>
        <span class="field-name">${name}</span>:
        ${
          change.action === "update"
            ? html`<${Value} value=${diff.before} kind="before" /> <span aria-hidden="true">→</span>
                <${Value} value=${diff.after} kind="after" />`
            : html`<span>${valueText(diff.after) || html`<em>(empty)</em>`}</span>`
        }
      </li>`,
    )}
  </ul>`;
}

function ChangeRow({ change }) {
  return html`<tr>
    <td>${change.entity}${change.candidate ? html` <span class="badge status-validated">candidate</span>` : null}</td>
    <th scope="row"><code>${change.key}</code></th>
    <td>${change.action}</td>
    <td class="rows">${(change.rows ?? []).join(", ")}</td>
    <td><${Fields} change=${change} /></td>
  </tr>`;
}

function ChangeFilters({ jobId, filter }) {
  const [draft, setDraft] = useState(filter);
  const set = (name) => (event) => setDraft({ ...draft, [name]: event.currentTarget.value });
  const clear = () => {
    setDraft({ entity: "", action: "" });
    navigate(`/jobs/${jobId}/changes`);
  };
  return html`<${FilterForm}
    label="Filter changes"
    onApply=${() => navigate(`/jobs/${jobId}/changes`, draft)}
    onClear=${clear}
  >
    <div class="field">
      <label for="change-entity">Entity</label>
      <select id="change-entity" value=${draft.entity} onChange=${set("entity")}>
        <option value="">Every entity</option>
        ${ENTITIES.map((entity) => html`<option value=${entity}>${entity}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="change-action">Action</label>
      <select id="change-action" value=${draft.action} onChange=${set("action")}>
        <option value="">Creates and updates</option>
        ${ACTIONS.map((action) => html`<option value=${action}>${action}</option>`)}
      </select>
    </div>
  <//>`;
}

export function JobChanges({ job, query }) {
  const filter = { entity: query.get("entity") ?? "", action: query.get("action") ?? "" };
  const offset = Math.max(0, Number(query.get("offset")) || 0);
  const path = withQuery(`${JOBS}/${job.id}/changes/`, { ...filter, limit: PAGE_SIZE, offset });
  // The plan exists once validation wrote the snapshot; it never changes after.
  const { data, error, stale } = usePoll(
    (signal) => request(path, { signal }),
    `${path}|${Boolean(job.snapshot_hash)}|${job.status}`,
  );
  const filtered = Boolean(filter.entity || filter.action);
  const applied = data?.source === "applied";

  return html`<section aria-labelledby="changes-title">
    <h2 id="changes-title">${applied ? "Applied changes" : "Planned changes"}</h2>
    <p class="hint">
      ${
        applied
          ? "What commit wrote: exactly the plan validation made."
          : "What a commit would write: every create, and every update with each field before → after. Unchanged rows are not listed."
      }
    </p>
    <${ChangeFilters} key=${JSON.stringify(filter)} jobId=${job.id} filter=${filter} />
    <${ErrorNotice} error=${error} title="Could not load the changes" />
    <${PagedTable}
      label="Changes"
      className="changes-table"
      page=${data}
      stale=${stale}
      error=${error}
      caption=${data ? `${count(data.total)} ${data.total === 1 ? "change" : "changes"}${filtered ? " matching the filters" : ""}, in the order commit applies them` : ""}
      head=${[["Entity"], ["Key"], ["Action"], ["File rows"], ["Fields (before → after)"]]}
      row=${(change) => html`<${ChangeRow} key=${`${change.entity}:${change.key}`} change=${change} />`}
      empty=${filtered ? "No change matches these filters." : job.snapshot_hash ? "This import changes nothing." : "The planned changes appear here when validation finishes."}
      offset=${offset}
      limit=${PAGE_SIZE}
      onPage=${(next) => navigate(`/jobs/${job.id}/changes`, { ...filter, offset: next })}
    />
  </section>`;
}

/** The candidates: categories, series and brands this smart import creates. */
export function CandidateList({ job }) {
  const path = withQuery(`${JOBS}/${job.id}/changes/`, {
    entity: ["category", "series", "brand"],
    limit: CANDIDATE_LIMIT,
  });
  const { data, error } = usePoll((signal) => request(path, { signal }), path);
  if (error) return html`<${ErrorNotice} error=${error} title="Could not load the candidates" />`;
  if (!data) return html`<p role="status">Loading candidates…</p>`;
  const candidates = data.items.filter((change) => change.candidate);
  return html`<${TableRegion} label="Candidates">
      <table class="data compact candidates-table">
        <caption>${count(candidates.length)} candidates, created at commit</caption>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Slug</th>
            <th scope="col">Name</th>
            <th scope="col">Category</th>
            <th scope="col">File rows</th>
          </tr>
        </thead>
        <tbody>
          ${candidates.map(
            (change) => html`<tr key=${`${change.entity}:${change.key}`}>
              <td>${change.entity}</td>
              <th scope="row"><code>${change.key}</code></th>
              <td>${valueText(change.fields.name?.after)}</td>
              <td>${change.fields.category_slug ? html`<code>${valueText(change.fields.category_slug.after)}</code>` : ""}</td>
              <td class="rows">${change.rows.join(", ")}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    <//>
    ${data.total > CANDIDATE_LIMIT ? html`<p class="hint">The first ${count(CANDIDATE_LIMIT)} of ${count(data.total)}; the Planned changes section has them all.</p>` : null}`;
}
