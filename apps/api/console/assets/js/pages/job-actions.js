/**
 * What the operator can do with a job, by role and status: commit (with a
 * confirmation that says what will be written, and allow-partial when rows
 * have errors), cancel, revalidate, revert (admin), and download the report.
 * A control the role may not use is not shown at all.
 */
import { useEffect, useState } from "preact/hooks";
import { downloadReport, JOBS, request } from "../api.js";
import { Dialog, ErrorNotice } from "../components/common.js";
import { count, MOVING_STATUSES } from "../format.js";
import { html } from "../html.js";
import { navigate } from "../router.js";

const REVERTIBLE = new Set(["success", "partial"]);
const CANCELLABLE = new Set(["pending", "validating", "validated"]);

/** `3 categories, 1 series and 2 brands`, or "" when there are none. */
function candidateText(candidates) {
  const parts = [
    [candidates.categories, "category", "categories"],
    [candidates.series, "series", "series"],
    [candidates.brands, "brand", "brands"],
  ]
    .filter(([n]) => n > 0)
    .map(([n, one, many]) => `${count(n)} ${n === 1 ? one : many}`);
  if (parts.length === 0) return "";
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

/** What commit writes, from the preview. */
function WhatCommitWrites({ summary }) {
  const entity = (label, counts) =>
    html`<li>${label}: ${count(counts.create)} created, ${count(counts.update)} updated, ${count(counts.unchanged)} left unchanged</li>`;
  const candidates = candidateText(summary.candidates);
  return html`<ul class="writes">
    ${candidates ? html`<li>New ${candidates} (candidates)</li>` : null}
    ${entity("Products", summary.products)} ${entity("Variants", summary.variants)}
  </ul>`;
}

function CommitDialog({ job, open, busy, onCommit, onClose }) {
  const [allowPartial, setAllowPartial] = useState(false);
  const summary = job.summary;
  if (!summary) return null;
  const rowsWithErrors = summary.rows.with_errors;
  const blocked = rowsWithErrors > 0 && !allowPartial;
  return html`<${Dialog} open=${open} id="commit-dialog" title=${`Commit ${job.file_name}?`} onClose=${onClose}>
    <p>One database transaction writes exactly this preview to the catalog:</p>
    <${WhatCommitWrites} summary=${summary} />
    ${
      rowsWithErrors > 0
        ? html`<div class="notice notice-warning">
          <p>
            ${count(rowsWithErrors)} ${rowsWithErrors === 1 ? "row has" : "rows have"} errors and cannot be
            imported. A commit applies the ${count(summary.rows.valid)} valid rows only if you allow it;
            the job then ends <strong>partial</strong>.
          </p>
          <div class="choice">
            <input
              type="checkbox"
              id="allow-partial"
              checked=${allowPartial}
              onChange=${(event) => setAllowPartial(event.currentTarget.checked)}
            />
            <label for="allow-partial">Apply the valid rows and leave the rows with errors out (allow partial)</label>
          </div>
        </div>`
        : null
    }
    <p class="hint">If the catalog changed since validation, the commit is refused and writes nothing.</p>
    <div class="dialog-actions">
      <button type="button" class="primary" disabled=${blocked || busy} onClick=${() => onCommit(allowPartial)}>
        Commit
      </button>
      <button type="button" onClick=${onClose}>Cancel</button>
    </div>
  <//>`;
}

function RevertDialog({ job, open, busy, onRevert, onClose }) {
  return html`<${Dialog} open=${open} id="revert-dialog" title=${`Revert ${job.file_name}?`} onClose=${onClose}>
    <p>
      In one transaction, the rows this import updated get back the values they had before it, and
      the products and variants it created are deleted (with the categories, series and brands it
      created that nothing else uses).
    </p>
    <p>If a later import (or anyone) changed one of those rows, the revert is refused and nothing changes.</p>
    <div class="dialog-actions">
      <button type="button" class="danger" disabled=${busy} onClick=${onRevert}>Revert</button>
      <button type="button" onClick=${onClose}>Keep it</button>
    </div>
  <//>`;
}

function CancelDialog({ job, open, busy, onCancelJob, onClose }) {
  return html`<${Dialog} open=${open} id="cancel-dialog" title=${`Cancel ${job.file_name}?`} onClose=${onClose}>
    <p>
      The job ends <strong>cancelled</strong>: it is never committed, and a validation still running
      stops at its next check. Its preview and report stay readable. Nothing in the catalog changes.
    </p>
    <div class="dialog-actions">
      <button type="button" class="danger" disabled=${busy} onClick=${onCancelJob}>Cancel the job</button>
      <button type="button" onClick=${onClose}>Keep it</button>
    </div>
  <//>`;
}

export function JobActions({ job, can, onActed }) {
  const [dialog, setDialog] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [message, setMessage] = useState("");
  // "Commit requested" and the like are true until the job moves on.
  const moved = `${job.status}|${job.failure?.code ?? ""}|${job.revert_refusal?.at ?? ""}`;
  useEffect(() => setMessage(""), [moved]);

  const act = async (run, done) => {
    setBusy(true);
    setError(null);
    setMessage("");
    try {
      const answer = await run();
      setDialog(null);
      done(answer);
      onActed();
    } catch (failure) {
      setDialog(null);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const post = (action, body) =>
    request(`${JOBS}/${job.id}/${action}/`, { method: "POST", body: body ?? {} });

  const canCommit = can.commit && job.status === "validated";
  const canRevalidate = can.commit && !MOVING_STATUSES.has(job.status);
  const canRevert = can.revert && REVERTIBLE.has(job.status);
  const canCancel = can.commit && CANCELLABLE.has(job.status);
  // A validated job has a report; it is built after the status (report_status
  // pending) and downloadable once ready, also again after a commit (the result's).
  const hasReport = Boolean(job.validated_at) && job.report_status !== null;
  const reportReady = job.report_status === "ready";
  if (!canCommit && !canCancel && !canRevalidate && !canRevert && !hasReport) return null;

  return html`<section class="actions" aria-label="Actions">
    <div class="button-row">
      ${canCommit ? html`<button type="button" class="primary" onClick=${() => setDialog("commit")}>Commit…</button>` : null}
      ${canRevert ? html`<button type="button" class="danger" onClick=${() => setDialog("revert")}>Revert…</button>` : null}
      ${canCancel ? html`<button type="button" onClick=${() => setDialog("cancel")}>Cancel job…</button>` : null}
      ${
        canRevalidate
          ? html`<button
            type="button"
            disabled=${busy}
            onClick=${() =>
              act(
                () => post("revalidate"),
                (next) => navigate(`/jobs/${next.id}`),
              )}
          >
            Revalidate
          </button>`
          : null
      }
      ${
        hasReport
          ? html`<button
            type="button"
            disabled=${!reportReady}
            aria-describedby=${reportReady ? undefined : "report-state"}
            onClick=${() =>
              act(
                () => downloadReport(job),
                () => setMessage("The report was downloaded."),
              )}
          >
            Download report (XLSX)
          </button>`
          : null
      }
    </div>
    ${
      hasReport && !reportReady
        ? html`<p id="report-state" class="hint">
          ${
            job.report_status === "failed"
              ? 'The report could not be built (runbook: "Reports not ready or failed").'
              : job.status === "success" || job.status === "partial"
                ? "The report with the commit's result is being built; the button turns on when it is ready."
                : "The report is being built; the button turns on when it is ready."
          }
        </p>`
        : null
    }
    <p role="status" class="action-message">${message}</p>
    <${ErrorNotice} error=${error} title="The request was refused" />
    ${
      canCommit
        ? html`<${CommitDialog}
          job=${job}
          open=${dialog === "commit"}
          busy=${busy}
          onClose=${() => setDialog(null)}
          onCommit=${(allowPartial) =>
            act(
              () => post("commit", { allow_partial: allowPartial }),
              () => setMessage("Commit requested: a worker applies it now."),
            )}
        />`
        : null
    }
    ${
      canCancel
        ? html`<${CancelDialog}
          job=${job}
          open=${dialog === "cancel"}
          busy=${busy}
          onClose=${() => setDialog(null)}
          onCancelJob=${() =>
            act(
              () => post("cancel"),
              () => setMessage("Cancel requested."),
            )}
        />`
        : null
    }
    ${
      canRevert
        ? html`<${RevertDialog}
          job=${job}
          open=${dialog === "revert"}
          busy=${busy}
          onClose=${() => setDialog(null)}
          onRevert=${() =>
            act(
              () => post("revert"),
              () => setMessage("Revert requested: a worker reverts it now."),
            )}
        />`
        : null
    }
  </section>`;
}
