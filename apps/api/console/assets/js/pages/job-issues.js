/**
 * A job's issues: filtered by severity, code and column, paged by the API
 * (`limit`/`offset`), so a job with 10,000 issues loads one page at a time.
 * Row numbers are the file's own line numbers. The code and column
 * suggestions come from the API's OpenAPI document (the closed set of codes,
 * the canonical columns).
 */
import { useEffect, useState } from "preact/hooks";
import { JOBS, request, withQuery } from "../api.js";
import { ErrorNotice, FilterForm, PagedTable } from "../components/common.js";
import { count, shortText, valueText } from "../format.js";
import { html } from "../html.js";
import { usePoll } from "../poll.js";
import { href, navigate } from "../router.js";

const PAGE_SIZE = 50;

let vocabulary;

/** Issue codes and columns for the filter suggestions, read once from /api/openapi.json. */
function loadVocabulary() {
  vocabulary ??= request("/api/openapi.json")
    .then((document) => {
      const issue = document?.components?.schemas?.Issue?.properties ?? {};
      const columns = issue.column?.anyOf?.find((schema) => schema.examples)?.examples;
      return { codes: issue.code?.enum ?? [], columns: columns ?? issue.column?.examples ?? [] };
    })
    .catch(() => ({ codes: [], columns: [] }));
  return vocabulary;
}

function useVocabulary() {
  const [words, setWords] = useState({ codes: [], columns: [] });
  useEffect(() => {
    loadVocabulary().then(setWords);
  }, []);
  return words;
}

function IssueFilters({ jobId, filter }) {
  const [draft, setDraft] = useState(filter);
  const words = useVocabulary();
  const set = (name) => (event) => setDraft({ ...draft, [name]: event.currentTarget.value });
  const apply = () =>
    navigate(`/jobs/${jobId}/issues`, {
      severity: draft.severity,
      code: draft.code.trim().toUpperCase(),
      column: draft.column.trim(),
    });
  const clear = () => {
    setDraft({ severity: "", code: "", column: "" });
    navigate(`/jobs/${jobId}/issues`);
  };
  return html`<${FilterForm} label="Filter issues" onApply=${apply} onClear=${clear}>
    <div class="field">
      <label for="issue-severity">Severity</label>
      <select id="issue-severity" value=${draft.severity} onChange=${set("severity")}>
        <option value="">Errors and warnings</option>
        <option value="error">Errors</option>
        <option value="warning">Warnings</option>
      </select>
    </div>
    <div class="field">
      <label for="issue-code">Code</label>
      <input id="issue-code" list="issue-codes" autocomplete="off" value=${draft.code} onInput=${set("code")} />
      <datalist id="issue-codes">${words.codes.map((code) => html`<option value=${code} />`)}</datalist>
    </div>
    <div class="field">
      <label for="issue-column">Column</label>
      <input id="issue-column" list="issue-columns" autocomplete="off" value=${draft.column} onInput=${set("column")} />
      <datalist id="issue-columns">${words.columns.map((column) => html`<option value=${column} />`)}</datalist>
    </div>
  <//>`;
}

function IssueRow({ issue }) {
  return html`<tr class=${`severity-${issue.severity}`}>
    <td class="num">${issue.row ?? "header"}</td>
    <td>${issue.column ?? ""}</td>
    <td><span class=${`badge severity-${issue.severity}`}>${issue.severity}</span></td>
    <td><code>${issue.code}</code></td>
    <td>${issue.message}</td>
    <td class="value">${shortText(valueText(issue.value))}</td>
  </tr>`;
}

export function JobIssues({ job, query }) {
  const filter = {
    severity: query.get("severity") ?? "",
    code: query.get("code") ?? "",
    column: query.get("column") ?? "",
  };
  const offset = Math.max(0, Number(query.get("offset")) || 0);
  const path = withQuery(`${JOBS}/${job.id}/issues/`, { ...filter, limit: PAGE_SIZE, offset });
  // Issues are fixed once validation ends; until then the page has none, so look again then.
  const validated = Boolean(job.validated_at);
  const { data, error, stale } = usePoll(
    (signal) => request(path, { signal }),
    `${path}|${validated}`,
  );
  const filtered = Boolean(filter.severity || filter.code || filter.column);

  const empty = filtered
    ? html`No issue matches these filters. <a href=${href(`/jobs/${job.id}/issues`)}>Show every issue</a>.`
    : validated
      ? "This file has no issues."
      : "Issues appear here when validation finishes.";

  return html`<section aria-labelledby="issues-title">
    <h2 id="issues-title">Issues</h2>
    <${IssueFilters} key=${JSON.stringify(filter)} jobId=${job.id} filter=${filter} />
    <${ErrorNotice} error=${error} title="Could not load the issues" />
    <${PagedTable}
      label="Issues"
      className="issues-table"
      page=${data}
      stale=${stale}
      error=${error}
      caption=${data ? `${count(data.total)} ${data.total === 1 ? "issue" : "issues"}${filtered ? " matching the filters" : ""}, by row` : ""}
      head=${[["Row", true], ["Column"], ["Severity"], ["Code"], ["Message"], ["Value"]]}
      row=${(issue, position) => html`<${IssueRow} key=${position} issue=${issue} />`}
      empty=${empty}
      offset=${offset}
      limit=${PAGE_SIZE}
      onPage=${(next) => navigate(`/jobs/${job.id}/issues`, { ...filter, offset: next })}
    />
  </section>`;
}
