/**
 * Upload: a file (picker or drag-and-drop) and a mode, sent with its progress;
 * then the job's own page follows the validation.
 */
import { useState } from "preact/hooks";
import { uploadFile } from "../api.js";
import { ErrorNotice, useTitle } from "../components/common.js";
import { bytes } from "../format.js";
import { html } from "../html.js";
import { navigate } from "../router.js";

const ACCEPT =
  ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv";

function ModeChoice({ mode, onChange }) {
  const option = (value, label, help) => html`<div class="choice">
    <input
      type="radio"
      id=${`mode-${value}`}
      name="mode"
      value=${value}
      checked=${mode === value}
      aria-describedby=${`mode-${value}-help`}
      onChange=${() => onChange(value)}
    />
    <label for=${`mode-${value}`}>${label}</label>
    <p id=${`mode-${value}-help`} class="hint">${help}</p>
  </div>`;
  return html`<fieldset class="modes">
    <legend>Mode</legend>
    ${option(
      "strict",
      "Strict",
      "A row naming a category, series or brand the catalog does not have is an error.",
    )}
    ${option(
      "smart",
      "Smart",
      "Categories, series and brands the catalog does not have become candidates, created at commit.",
    )}
  </fieldset>`;
}

function UploadProgress({ file, sent, total }) {
  const percent = total ? Math.round((sent / total) * 100) : 0;
  return html`<div class="progress-block">
    <label for="upload-progress">Uploading ${file.name}</label>
    <progress id="upload-progress" max=${total || 1} value=${sent}>${percent}%</progress>
    <p class="hint" aria-live="polite">${percent}% (${bytes(sent)} of ${bytes(total)})</p>
  </div>`;
}

export function UploadPage({ can }) {
  useTitle("Upload");
  const [file, setFile] = useState(null);
  const [mode, setMode] = useState("strict");
  const [dragging, setDragging] = useState(false);
  const [progress, setProgress] = useState(null);
  const [error, setError] = useState(null);

  if (!can.upload) {
    return html`<h1 tabindex="-1">Upload</h1>
      <p>Your role may not upload files. Ask an operator for an importer token.</p>`;
  }

  const choose = (chosen) => {
    setError(null);
    setFile(chosen ?? null);
  };
  const drop = (event) => {
    event.preventDefault();
    setDragging(false);
    choose(event.dataTransfer?.files?.[0]);
  };
  const submit = async (event) => {
    event.preventDefault();
    if (!file) {
      setError({ message: "Choose a file first." });
      return;
    }
    setError(null);
    setProgress({ sent: 0, total: file.size });
    try {
      const { job, reused } = await uploadFile(file, mode, (sent, total) =>
        setProgress({ sent, total }),
      );
      navigate(`/jobs/${job.id}`, reused ? { reused: 1 } : {});
    } catch (failure) {
      setProgress(null);
      setError(failure);
    }
  };

  return html`
    <h1 tabindex="-1">Upload a file</h1>
    <form class="upload" onSubmit=${submit}>
      <div
        class=${`dropzone${dragging ? " dragging" : ""}`}
        onDragOver=${(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave=${() => setDragging(false)}
        onDrop=${drop}
      >
        <label for="file">File (XLSX or CSV)</label>
        <input
          id="file"
          name="file"
          type="file"
          accept=${ACCEPT}
          aria-describedby="file-help"
          onChange=${(event) => choose(event.currentTarget.files?.[0])}
        />
        <p id="file-help" class="hint">Choose a file, or drop one anywhere in this box.</p>
        ${file ? html`<p class="selected" aria-live="polite">Selected: <strong>${file.name}</strong> (${bytes(file.size)})</p>` : null}
      </div>
      <${ModeChoice} mode=${mode} onChange=${setMode} />
      <button type="submit" class="primary" disabled=${Boolean(progress)}>Upload and validate</button>
      ${progress ? html`<${UploadProgress} file=${file} sent=${progress.sent} total=${progress.total} />` : null}
      <${ErrorNotice} error=${error} title="Upload failed" />
    </form>
    <p class="hint">
      Validation is a dry run: it plans every change and writes nothing to the catalog until you
      commit the job.
    </p>
  `;
}
