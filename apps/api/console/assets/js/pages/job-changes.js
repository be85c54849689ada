/** A job's planned changes (placeholder until the changes route exists). */
import { html } from "../html.js";

export function CandidateList() {
  return html`<p>Candidate list pending.</p>`;
}

export function JobChanges() {
  return html`<section aria-labelledby="changes-title"><h2 id="changes-title">Planned changes</h2></section>`;
}
