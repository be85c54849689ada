/** Sign-in: the operator pastes an API token, checked against the API before it is kept. */
import { useState } from "preact/hooks";
import { clearToken, request, setToken } from "../api.js";
import { html } from "../html.js";

export function SignInPage({ notice, onSignedIn }) {
  const [token, setTokenText] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setError("Paste a token first.");
      return;
    }
    setBusy(true);
    setError("");
    setToken(value);
    try {
      onSignedIn(await request("/api/admin/me/"));
    } catch (failure) {
      clearToken();
      setError(
        failure.status === 401
          ? "This token is unknown or revoked."
          : `Could not check the token: ${failure.message}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return html`<main id="main" class="sign-in">
    <h1>Catalog import console</h1>
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    <form onSubmit=${submit} novalidate>
      <p>
        Sign in with an API token. An operator makes one with
        <code>npx importctl tokens create --email you@example.com --role importer</code>
        (roles: viewer, importer, admin).
      </p>
      <label for="token">API token</label>
      <input
        id="token"
        name="token"
        type="password"
        autocomplete="off"
        spellcheck="false"
        aria-describedby="token-help${error ? " token-error" : ""}"
        aria-invalid=${error ? "true" : undefined}
        value=${token}
        onInput=${(event) => setTokenText(event.currentTarget.value)}
      />
      <p id="token-help" class="hint">
        The token is kept in this browser tab only (session storage) until you sign out or close
        the tab.
      </p>
      ${error ? html`<p id="token-error" class="field-error" role="alert">${error}</p>` : null}
      <button type="submit" class="primary" disabled=${busy}>${busy ? "Checking…" : "Sign in"}</button>
    </form>
  </main>`;
}
