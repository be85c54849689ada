/**
 * A job's overview: the preview's summary (rows, creates, updates, unchanged
 * per entity, candidates), what commit applied, the database check after
 * commit, and the list of candidates.
 */
import { count } from "../format.js";
import { html } from "../html.js";
import { CandidateList } from "./job-changes.js";

function RowCounts({ summary }) {
  const stat = (label, value, kind = "") =>
    html`<div class=${`stat ${kind}`}><dt>${label}</dt><dd>${count(value)}</dd></div>`;
  return html`<dl class="stats" aria-label="Rows and issues">
    ${stat("Rows", summary.rows.total)} ${stat("Valid rows", summary.rows.valid)}
    ${stat("Rows with errors", summary.rows.with_errors, summary.rows.with_errors ? "bad" : "")}
    ${stat("Rows with warnings", summary.rows.with_warnings)}
    ${stat("Errors", summary.errors, summary.errors ? "bad" : "")} ${stat("Warnings", summary.warnings)}
  </dl>`;
}

function EntityTable({ caption, counts, id }) {
  const row = (label, entity) => html`<tr>
    <th scope="row">${label}</th>
    <td class="num">${count(entity.create)}</td>
    <td class="num">${count(entity.update)}</td>
    <td class="num">${count(entity.unchanged)}</td>
  </tr>`;
  return html`<table class="data compact" id=${id}>
    <caption>${caption}</caption>
    <thead>
      <tr>
        <th scope="col">Entity</th>
        <th scope="col" class="num">Create</th>
        <th scope="col" class="num">Update</th>
        <th scope="col" class="num">Unchanged</th>
      </tr>
    </thead>
    <tbody>
      ${row("Products", counts.products)} ${row("Variants", counts.variants)}
    </tbody>
  </table>`;
}

function CandidateCounts({ candidates, applied }) {
  return html`<table class="data compact" id="candidate-counts">
    <caption>${applied ? "Candidates created" : "Candidates: created at commit"}</caption>
    <thead>
      <tr><th scope="col">Type</th><th scope="col" class="num">New</th></tr>
    </thead>
    <tbody>
      <tr><th scope="row">Categories</th><td class="num">${count(candidates.categories)}</td></tr>
      <tr><th scope="row">Series</th><td class="num">${count(candidates.series)}</td></tr>
      <tr><th scope="row">Brands</th><td class="num">${count(candidates.brands)}</td></tr>
    </tbody>
  </table>`;
}

function DbVerify({ verify }) {
  if (!verify?.enabled) return null;
  const ok = verify.created_entities_found_in_db;
  return html`<p class=${`notice ${ok ? "notice-ok" : "notice-error"}`}>
    <strong>Database check after commit:</strong>
    ${ok ? " every created product and variant was found in the database." : " some created entities were not found in the database; see the report."}
  </p>`;
}

export function JobOverview({ job }) {
  const { summary, result } = job;
  if (!summary) {
    return html`<section aria-labelledby="summary-title">
      <h2 id="summary-title">Summary</h2>
      <p>${job.status === "failed" ? "The file could not be validated, so there is no preview." : "The preview appears here when validation finishes."}</p>
    </section>`;
  }
  const totalCandidates =
    summary.candidates.categories + summary.candidates.series + summary.candidates.brands;
  return html`
    <section aria-labelledby="summary-title">
      <h2 id="summary-title">Summary</h2>
      <${RowCounts} summary=${summary} />
      <div class="tables">
        <${EntityTable} caption="Planned changes (preview)" counts=${summary} id="planned-counts" />
        ${result ? html`<${EntityTable} caption="Applied by commit" counts=${result} id="applied-counts" />` : null}
        <${CandidateCounts} candidates=${result?.candidates ?? summary.candidates} applied=${Boolean(result)} />
      </div>
      <${DbVerify} verify=${job.db_verify} />
    </section>
    <section aria-labelledby="candidates-title">
      <h2 id="candidates-title">Candidates</h2>
      ${
        totalCandidates === 0
          ? html`<p>${job.mode === "smart" ? "This file names no category, series or brand the catalog does not have." : "Strict mode makes no candidates: a missing category, series or brand is an error."}</p>`
          : html`<${CandidateList} job=${job} />`
      }
    </section>
  `;
}
