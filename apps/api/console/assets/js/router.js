/**
 * Hash routing: `#/jobs?status=failed` is the page `/jobs` with its query. The
 * server serves one page at `/`, so every view is a bookmarkable hash and the
 * back button moves between views and filters.
 */
import { useEffect, useState } from "preact/hooks";

/** The current route: `path` (e.g. `/jobs/<id>/issues`) and its `query`. */
export function currentRoute() {
  const hash = window.location.hash.replace(/^#/, "") || "/jobs";
  const [path, search = ""] = hash.split("?");
  return { path: path || "/jobs", query: new URLSearchParams(search) };
}

/** The hash link for `path` with the non-empty entries of `query`. */
export function href(path, query = {}) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return `#${path}${text ? `?${text}` : ""}`;
}

/** Goes to `path` with `query` (a new history entry). */
export function navigate(path, query = {}) {
  window.location.hash = href(path, query);
}

/** The current route, re-rendering on every hash change. */
export function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}
