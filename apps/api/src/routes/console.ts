/**
 * The operator console: static files served by the API at `/` (the page) and
 * `/assets/` (its ES modules and styles), plus the two front-end libraries it
 * imports (Preact and htm) straight from node_modules at `/assets/vendor/`.
 * There is no build step: the browser loads the modules as they are, and the
 * page's import map names the vendor files. The console calls the same routes
 * as any API client, with the token the operator pastes.
 *
 * Every console response carries a Content-Security-Policy that allows scripts
 * from this origin only (plus the page's one inline import map, by hash): the
 * token lives in sessionStorage, so injected script must not run.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import express, { type RequestHandler, type Response, Router } from "express";

/** Where the console's files are. */
export const CONSOLE_DIR = resolve(__dirname, "../../console");

/** The vendor modules the import map in index.html names, by file name. */
function vendorFiles(): Record<string, string> {
  return {
    "preact.mjs": require.resolve("preact"),
    "hooks.mjs": require.resolve("preact/hooks"),
    // htm's `require` entry is dist/htm.js; its ES module sits beside it.
    "htm.mjs": join(dirname(require.resolve("htm")), "htm.mjs"),
  };
}

/** The CSP, allowing the page's inline import map by its SHA-256. */
function contentSecurityPolicy(indexHtml: string): string {
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(indexHtml)?.[1];
  if (importMap === undefined) throw new Error("console/index.html has no import map");
  const hash = createHash("sha256").update(importMap).digest("base64");
  return [
    "default-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function consoleRoutes(): Router {
  const router = Router();
  const policy = contentSecurityPolicy(readFileSync(join(CONSOLE_DIR, "index.html"), "utf8"));
  const headers = (response: Response) => {
    response.set({
      "Content-Security-Policy": policy,
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      // Revalidated on every load (ETag), so a deploy shows at once.
      "Cache-Control": "no-cache",
    });
  };
  const vendor = vendorFiles();
  const serveVendor: RequestHandler = (request, response, next) => {
    const file = vendor[request.path.replace(/^\//, "")];
    if (!file || (request.method !== "GET" && request.method !== "HEAD")) return next();
    headers(response);
    response.type("text/javascript").sendFile(file);
  };
  router.use("/assets/vendor", serveVendor);
  router.use(
    express.static(CONSOLE_DIR, {
      index: "index.html",
      redirect: false,
      setHeaders: headers,
    }),
  );
  return router;
}
