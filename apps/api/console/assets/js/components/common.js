/** Small pieces every page uses: status badge, scrollable table region, pager, notices, dialog. */
import { useEffect, useRef } from "preact/hooks";
import { count, STATUS_TEXT } from "../format.js";
import { html } from "../html.js";

/** A job status as a labelled badge (text, never colour alone). */
export function StatusBadge({ status }) {
  return html`<span class="badge status-${status}" title=${STATUS_TEXT[status] ?? ""}>${status}</span>`;
}

/**
 * A table that scrolls sideways on a narrow window: the region is focusable so
 * keyboard users can scroll it too, and named after the table. `busy` while
 * the rows shown are still those of the previous page or filter.
 */
export function TableRegion({ label, busy = false, children }) {
  return html`<div
    class="table-scroll"
    role="region"
    aria-label=${label}
    aria-busy=${busy ? "true" : "false"}
    tabindex="0"
  >
    ${children}
  </div>`;
}

/**
 * Previous/next paging with the position: `offset` and `limit` of `total`.
 * `onPage(offset)` moves.
 */
export function Pager({ label, offset, limit, total, onPage }) {
  if (!total) return null;
  const first = offset + 1;
  const last = Math.min(offset + limit, total);
  const pages = Math.max(1, Math.ceil(total / limit));
  const page = Math.floor(offset / limit) + 1;
  return html`<nav class="pager" aria-label=${label}>
    <button type="button" onClick=${() => onPage(0)} disabled=${offset === 0}>First</button>
    <button type="button" onClick=${() => onPage(Math.max(0, offset - limit))} disabled=${offset === 0}>
      Previous
    </button>
    <span class="pager-position">
      ${count(first)}–${count(last)} of ${count(total)} (page ${count(page)} of ${count(pages)})
    </span>
    <button type="button" onClick=${() => onPage(offset + limit)} disabled=${last >= total}>Next</button>
    <button type="button" onClick=${() => onPage((pages - 1) * limit)} disabled=${last >= total}>
      Last
    </button>
  </nav>`;
}

/** An error from the API, announced to screen readers. */
export function ErrorNotice({ error, title = "Something went wrong" }) {
  if (!error) return null;
  return html`<div class="notice notice-error" role="alert">
    <p><strong>${title}:</strong> ${error.message}${error.code ? html` <code>${error.code}</code>` : ""}</p>
  </div>`;
}

/**
 * A modal confirmation (native <dialog>: focus moves into it and stays there,
 * Escape closes it). Shown while `open`; `onClose` is called when it closes.
 */
export function Dialog({ open, title, id, onClose, children }) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return html`<dialog ref=${ref} aria-labelledby=${`${id}-title`} onClose=${onClose} class="dialog">
    ${open ? html`<h2 id=${`${id}-title`}>${title}</h2>${children}` : null}
  </dialog>`;
}

/** Sets the tab's title for this view. */
export function useTitle(text) {
  useEffect(() => {
    document.title = `${text} · Catalog import console`;
  }, [text]);
}

/** A filter form: its fields, then Apply and Clear. */
export function FilterForm({ label, onApply, onClear, children }) {
  const submit = (event) => {
    event.preventDefault();
    onApply();
  };
  return html`<form class="filters" onSubmit=${submit} aria-label=${label}>
    ${children}
    <div class="field-actions">
      <button type="submit" class="primary">Apply filters</button>
      <button type="button" onClick=${onClear}>Clear</button>
    </div>
  </form>`;
}

/**
 * One page of a list the API pages (`{items, total}` in `page`): the table in
 * its scrolling region (busy while `stale`), a sentence when it is empty, the
 * pager. Before the first answer it says it is loading; after an error, nothing
 * (the caller shows the error).
 */
export function PagedTable({
  label,
  className,
  page,
  stale,
  error,
  caption,
  head,
  row,
  empty,
  offset,
  limit,
  onPage,
}) {
  if (!page) return error ? null : html`<p role="status">Loading ${label.toLowerCase()}…</p>`;
  return html`
    <${TableRegion} label=${label} busy=${stale}>
      <table class=${`data ${className}`}>
        <caption>${caption}</caption>
        <thead>
          <tr>
            ${head.map(([text, numeric]) => html`<th scope="col" class=${numeric ? "num" : undefined}>${text}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${page.items.map((item, index) => row(item, offset + index))}
        </tbody>
      </table>
    <//>
    ${page.total === 0 ? html`<p>${empty}</p>` : null}
    <${Pager} label=${`${label} pages`} offset=${offset} limit=${limit} total=${page.total} onPage=${onPage} />
  `;
}
