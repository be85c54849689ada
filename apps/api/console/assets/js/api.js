/**
 * The console's only way to the server: the same HTTP routes any API client
 * uses (SPEC §8), with the bearer token the operator pasted. The token is kept
 * in sessionStorage: it lives as long as the browser tab and is never written
 * to disk by the page or sent anywhere but this origin.
 */

const TOKEN_KEY = "catalog-import-console.token";

/** Where the import-job routes live. */
export const JOBS = "/api/admin/import-jobs";

/** Fired on window when the server says the token is not (or no longer) valid. */
export const UNAUTHENTICATED_EVENT = "console:unauthenticated";

export const getToken = () => sessionStorage.getItem(TOKEN_KEY);
export const setToken = (token) => sessionStorage.setItem(TOKEN_KEY, token);
export const clearToken = () => sessionStorage.removeItem(TOKEN_KEY);

/** An error answer of the API (`{"error": {code, message, details}}`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

function authHeaders() {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** The parsed body of `text`, or undefined when it is not JSON. */
function parseJson(text) {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Turns an error answer into an ApiError; a 401 also tells the page to sign out. */
function errorFrom(status, statusText, body) {
  if (status === 401) window.dispatchEvent(new CustomEvent(UNAUTHENTICATED_EVENT));
  const error = body?.error ?? {};
  return new ApiError(
    status,
    error.code ?? `HTTP_${status}`,
    error.message ?? `The API answered ${status} ${statusText}`,
    error.details,
  );
}

/**
 * Calls the API and returns its JSON answer. `body` is sent as JSON; an error
 * answer throws an {@link ApiError}; an aborted request throws the AbortError.
 */
export async function request(path, { method = "GET", body, signal } = {}) {
  const headers = { accept: "application/json", ...authHeaders() };
  if (body !== undefined) headers["content-type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: "no-store",
    });
  } catch (error) {
    if (error?.name === "AbortError") throw error;
    throw new ApiError(0, "NETWORK", "The API could not be reached; retrying");
  }
  const parsed = parseJson(await response.text());
  if (!response.ok) throw errorFrom(response.status, response.statusText, parsed);
  return parsed;
}

/** `path?query` with the non-empty entries of `query`; an array value repeats its key. */
export function withQuery(path, query) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null && item !== "") search.append(key, String(item));
    }
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * Uploads `file` for validation in `mode`; `onProgress(sent, total)` follows the
 * bytes sent. XMLHttpRequest, because fetch reports no upload progress.
 * Resolves with `{job, reused}` (reused: the API returned an earlier job for the
 * same bytes and mode).
 */
export function uploadFile(file, mode, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${JOBS}/validate/`);
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader("accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener("load", () => {
      const body = parseJson(xhr.responseText);
      if (xhr.status === 200 || xhr.status === 202)
        resolve({ job: body, reused: xhr.status === 200 });
      else reject(errorFrom(xhr.status, xhr.statusText, body));
    });
    xhr.addEventListener("error", () =>
      reject(
        new ApiError(0, "NETWORK", "The upload was interrupted: the API could not be reached"),
      ),
    );
    const form = new FormData();
    // Fields before the file: the API reads the multipart stream in order.
    form.append("mode", mode);
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

/** Downloads the job's XLSX report (the request needs the token, so no plain link). */
export async function downloadReport(job) {
  let response;
  try {
    response = await fetch(`${JOBS}/${job.id}/report/`, { headers: authHeaders() });
  } catch {
    throw new ApiError(0, "NETWORK", "The API could not be reached");
  }
  if (!response.ok) {
    throw errorFrom(response.status, response.statusText, parseJson(await response.text()));
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = `import_report_${job.id}.xlsx`;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked after the click has handed the blob to the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
