/**
 * The operator console: sign-in with an API token, then the jobs list, upload,
 * a job's preview (summary, issues, planned changes) with its actions, and the
 * health page. Views are hash routes (router.js); data comes from the API's
 * own routes (api.js). What the token's role may not do is not offered: a
 * viewer sees no upload, commit or revalidate control, only an admin sees revert.
 */
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { clearToken, getToken, request, UNAUTHENTICATED_EVENT } from "./api.js";
import { html } from "./html.js";
import { HealthPage } from "./pages/health.js";
import { JobPage } from "./pages/job.js";
import { JobsPage } from "./pages/jobs.js";
import { SignInPage } from "./pages/sign-in.js";
import { UploadPage } from "./pages/upload.js";
import { href, useRoute } from "./router.js";

/** What each role may do, for hiding what it may not. */
export function permissions(role) {
  return {
    upload: role === "importer" || role === "admin",
    commit: role === "importer" || role === "admin",
    revert: role === "admin",
  };
}

/** The page for `path`, or a not-found message. */
function View({ route, principal }) {
  const { path, query } = route;
  const can = permissions(principal.role);
  if (path === "/jobs") return html`<${JobsPage} query=${query} />`;
  if (path === "/upload") return html`<${UploadPage} can=${can} />`;
  if (path === "/health") return html`<${HealthPage} />`;
  const job = /^\/jobs\/([0-9a-f-]{36})(?:\/(issues|changes))?$/.exec(path);
  if (job) {
    return html`<${JobPage} id=${job[1]} tab=${job[2] ?? "overview"} query=${query} can=${can} />`;
  }
  return html`<h1 tabindex="-1">Page not found</h1>
    <p>There is no page at <code>${path}</code>. <a href="#/jobs">Go to the jobs list</a>.</p>`;
}

/** The main navigation; `aria-current` marks where the operator is. */
function Navigation({ path, can }) {
  const link = (to, label) =>
    html`<li><a href=${href(to)} aria-current=${path === to || path.startsWith(`${to}/`) ? "page" : undefined}>${label}</a></li>`;
  return html`<nav aria-label="Main" class="main-nav">
    <ul>
      ${link("/jobs", "Jobs")} ${can.upload ? link("/upload", "Upload") : null}
      ${link("/health", "Health")}
    </ul>
  </nav>`;
}

function Layout({ principal, onSignOut }) {
  const route = useRoute();
  const main = useRef(null);
  const firstPath = useRef(route.path);
  // A new view moves focus to its heading, as a page load would; filters and
  // paging (same path, new query) leave focus where the operator is.
  useEffect(() => {
    if (route.path === firstPath.current) return;
    firstPath.current = route.path;
    const heading = main.current?.querySelector("h1");
    if (heading) heading.focus();
    window.scrollTo(0, 0);
  }, [route.path]);
  const skip = (event) => {
    event.preventDefault();
    main.current?.focus();
  };
  return html`
    <a class="skip-link" href="#main" onClick=${skip}>Skip to content</a>
    <header class="top-bar">
      <p class="brand"><a href="#/jobs">Catalog import</a></p>
      <${Navigation} path=${route.path} can=${permissions(principal.role)} />
      <div class="who">
        <span>Signed in as <strong>${principal.email}</strong> (${principal.role})</span>
        <button type="button" class="link-button" onClick=${onSignOut}>Sign out</button>
      </div>
    </header>
    <main id="main" ref=${main} tabindex="-1">
      <${View} route=${route} principal=${principal} />
    </main>
  `;
}

function App() {
  const [principal, setPrincipal] = useState(null);
  const [checking, setChecking] = useState(Boolean(getToken()));
  const [notice, setNotice] = useState("");

  // A token from earlier in this tab: check it is still valid.
  useEffect(() => {
    if (!getToken()) return;
    request("/api/admin/me/")
      .then(setPrincipal)
      .catch(() => clearToken())
      .finally(() => setChecking(false));
  }, []);

  useEffect(() => {
    const expired = () => {
      clearToken();
      setPrincipal(null);
      setNotice("The token is no longer valid (revoked or unknown). Sign in again.");
    };
    window.addEventListener(UNAUTHENTICATED_EVENT, expired);
    return () => window.removeEventListener(UNAUTHENTICATED_EVENT, expired);
  }, []);

  useEffect(() => {
    if (!principal) document.title = "Sign in · Catalog import console";
  }, [principal]);

  const signOut = () => {
    clearToken();
    setPrincipal(null);
    setNotice("Signed out. The token was removed from this tab.");
  };

  if (checking) return html`<main id="main"><p role="status">Checking the saved token…</p></main>`;
  if (!principal) {
    return html`<${SignInPage}
      notice=${notice}
      onSignedIn=${(who) => {
        setNotice("");
        setPrincipal(who);
      }}
    />`;
  }
  return html`<${Layout} principal=${principal} onSignOut=${signOut} />`;
}

render(html`<${App} />`, document.getElementById("app"));
