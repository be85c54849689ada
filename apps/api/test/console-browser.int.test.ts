/**
 * The operator console in real Chromium against the whole system as real
 * processes (API, two workers, S3 in its own process, an own redis-server):
 * sign in, upload, preview, filter issues, commit, field diffs, revert and a
 * refused revert, what a viewer is not offered, live updates, the health page,
 * and a 10,000-issue job's issues page (its load time is logged, not asserted:
 * the machine is shared). axe-core checks every page for serious or critical
 * violations.
 *
 * With UPDATE_SCREENSHOTS=1 it also writes the screenshots the README shows
 * (docs/console-*.png); without it the tree stays clean.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { JobResource } from "@catalog/jobs";
import {
  createTestDatabase,
  fixturePath,
  REPOSITORY_ROOT,
  type RunningSystem,
  readFixture,
  readFixtureJson,
  startSystem,
  type TestDatabase,
} from "@catalog/testing";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { checkAccessibility, launchChromium } from "./support/browser";

jest.setTimeout(300_000);

// The browser globals the functions passed to page.evaluate use (they run in
// the page, not in Node); declared here, in this module only, rather than
// adding the DOM library to the whole program.
interface PageElement {
  id: string;
  textContent: string | null;
}
declare const document: {
  activeElement: PageElement | null;
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelector(selector: string): unknown;
};
declare const DataTransfer: new () => { items: { add(file: File): void } };
declare const sessionStorage: Record<string, string> & { length: number };
declare const localStorage: Record<string, string>;
declare const window: Record<string, unknown>;
declare function getComputedStyle(element: PageElement): {
  outlineStyle: string;
  outlineWidth: string;
};

const JOBS = "/api/admin/import-jobs";
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1";
const SCREENSHOT_DIR = join(REPOSITORY_ROOT, "docs");
const VIEWPORT = { width: 1280, height: 800 };
const UI_TIMEOUT_MS = 60_000;

interface ExpectedIssue {
  row: number | null;
  column: string | null;
  code: string;
  severity: string;
}

describe("operator console (Chromium, whole system)", () => {
  let database: TestDatabase;
  let system: RunningSystem;
  let browser: Browser;
  const tokens: Record<"viewer" | "importer" | "admin", string> = {
    viewer: "",
    importer: "",
    admin: "",
  };
  const contexts: BrowserContext[] = [];
  /** Job ids by fixture name, as the scenario makes them. */
  const jobs: Record<string, string> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    [system, browser] = await Promise.all([
      startSystem({ databaseUrl: database.url, db: database.db }),
      launchChromium(),
    ]);
    for (const role of ["viewer", "importer", "admin"] as const)
      tokens[role] = await system.token(role);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
    await browser?.close();
    await system?.stop();
    await database?.drop();
  });

  // --- helpers -------------------------------------------------------------

  /** A fresh browser tab (own sessionStorage) at the console's sign-in page. */
  async function openConsole(viewport = VIEWPORT): Promise<Page> {
    const context = await browser.newContext({ viewport, baseURL: system.apiUrl });
    contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console error: ${message.text()}`);
    });
    (page as Page & { problems: string[] }).problems = problems;
    await page.goto("/");
    await page.getByLabel("API token").waitFor();
    return page;
  }

  /** Errors the page logged (a CSP refusal shows up here too), except expected 4xx answers. */
  function pageProblems(page: Page): string[] {
    return (page as Page & { problems: string[] }).problems.filter(
      (problem) => !/status of 4\d\d/.test(problem),
    );
  }

  async function signIn(page: Page, role: keyof typeof tokens): Promise<void> {
    await page.getByLabel("API token").fill(tokens[role]);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText(`Signed in as`).waitFor();
  }

  /** Passes when axe finds no serious or critical violation; `where` names the view. */
  async function expectAccessible(page: Page, where: string): Promise<void> {
    const report = await checkAccessibility(page);
    expect(report.passes).toBeGreaterThan(10);
    expect({ where, serious: report.serious }).toEqual({ where, serious: [] });
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    if (!UPDATE_SCREENSHOTS) return;
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, name), fullPage: true });
  }

  /** The job id in the page's address (`#/jobs/<id>...`). */
  function jobIdOf(page: Page): string {
    const id = /#\/jobs\/([0-9a-f-]{36})/.exec(page.url())?.[1];
    if (!id) throw new Error(`No job in ${page.url()}`);
    return id;
  }

  /** Waits until the job page shows `status` in its facts. */
  async function waitForStatus(page: Page, status: string): Promise<void> {
    await page
      .locator(".facts .badge", { hasText: new RegExp(`^${status}$`) })
      .waitFor({ timeout: UI_TIMEOUT_MS });
  }

  /** The cells of each body row of `table`, as text. */
  async function tableRows(table: Locator): Promise<string[][]> {
    return table
      .locator("tbody tr")
      .evaluateAll((rows) =>
        rows.map((row) =>
          [...row.querySelectorAll("th, td")].map((cell) => cell.textContent?.trim() ?? ""),
        ),
      );
  }

  /**
   * Runs `action` (which changes a table's page or filter), waits for the API
   * answer whose query passes `wanted`, then for the table region named
   * `region` to show it (no longer aria-busy).
   */
  async function settle(
    page: Page,
    region: string,
    wanted: (query: URLSearchParams) => boolean,
    action: () => Promise<void>,
  ): Promise<void> {
    const answered = page.waitForResponse((response) => {
      const url = new URL(response.url());
      return url.pathname.startsWith(JOBS) && wanted(url.searchParams);
    });
    await action();
    await answered;
    await page
      .locator(`[role="region"][aria-label="${region}"][aria-busy="false"]`)
      .waitFor({ timeout: UI_TIMEOUT_MS });
  }

  /** A query predicate: exactly these filter values (absent ones must be absent). */
  const filterIs =
    (names: string[], values: Record<string, string | undefined>) => (query: URLSearchParams) =>
      names.every((name) => query.get(name) === (values[name] ?? null));

  async function captionOf(table: Locator): Promise<string> {
    return ((await table.locator("caption").textContent()) ?? "").replace(/\s+/g, " ").trim();
  }

  /** Uploads through the page: file picker, mode, progress, then the job page. */
  async function uploadInPage(
    page: Page,
    fixture: string,
    mode: "strict" | "smart",
    { drop = false } = {},
  ) {
    await page.getByRole("link", { name: "Upload" }).click();
    if (drop) {
      // Drag-and-drop: a real drop event carrying the file, on the drop zone.
      const content = (await readFixture(fixture)).toString("latin1");
      const dataTransfer = await page.evaluateHandle(
        ({ name, bytes }) => {
          const transfer = new DataTransfer();
          const array = Uint8Array.from(bytes, (char) => char.charCodeAt(0));
          transfer.items.add(new File([array], name));
          return transfer;
        },
        { name: fixture, bytes: content },
      );
      await page.locator(".dropzone").dispatchEvent("drop", { dataTransfer });
      await page.getByText(`Selected: ${fixture}`).waitFor();
    } else {
      await page.getByLabel("File (XLSX or CSV)").setInputFiles(fixturePath(fixture));
    }
    await page.getByRole("radio", { name: mode === "smart" ? "Smart" : "Strict" }).check();
    await page.getByRole("button", { name: "Upload and validate" }).click();
    await page.waitForURL(/#\/jobs\/[0-9a-f-]{36}/);
    jobs[fixture] = jobIdOf(page);
    await waitForStatus(page, "validated");
  }

  /** Commits the job the page shows, through the confirmation dialog. */
  async function commitInPage(page: Page, { allowPartial }: { allowPartial: boolean }) {
    await page.getByRole("button", { name: "Commit…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    const confirm = dialog.getByRole("button", { name: "Commit", exact: true });
    if (allowPartial) {
      expect(await confirm.isDisabled()).toBe(true);
      await dialog.getByLabel(/allow partial/).check();
    }
    expect(await confirm.isEnabled()).toBe(true);
    await confirm.click();
    await dialog.waitFor({ state: "hidden" });
  }

  /** Uploads with the API (not the page), for jobs the scenario only needs to exist. */
  async function uploadWithApi(name: string, bytes: Buffer, mode: "strict" | "smart") {
    const form = new FormData();
    form.set("mode", mode);
    form.set("file", new Blob([new Uint8Array(bytes)]), name);
    const response = await fetch(`${system.apiUrl}${JOBS}/validate/`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.importer}` },
      body: form,
    });
    expect(response.status).toBe(202);
    return (await response.json()) as JobResource;
  }

  async function jobFromApi(id: string): Promise<JobResource> {
    const response = await fetch(`${system.apiUrl}${JOBS}/${id}/`, {
      headers: { authorization: `Bearer ${tokens.viewer}` },
    });
    return (await response.json()) as JobResource;
  }

  // --- the scenario ----------------------------------------------------------

  let admin: Page;

  it("signs in with a pasted token using the keyboard only, with a visible focus", async () => {
    admin = await openConsole();
    await expectAccessible(admin, "sign-in");
    await admin.keyboard.press("Tab");
    expect(await admin.evaluate(() => document.activeElement?.id)).toBe("token");
    await admin.keyboard.type(tokens.admin);
    await admin.keyboard.press("Tab");
    // The focused button is drawn with an outline (keyboard focus is visible).
    const outline = await admin.evaluate(() => {
      const focused = document.activeElement as PageElement;
      const style = getComputedStyle(focused);
      return {
        text: focused.textContent?.trim(),
        style: style.outlineStyle,
        width: style.outlineWidth,
      };
    });
    expect(outline).toEqual({ text: "Sign in", style: "solid", width: "3px" });
    await admin.keyboard.press("Enter");
    await admin.getByText("Signed in as").waitFor();
    expect(await admin.getByRole("navigation", { name: "Main" }).textContent()).toContain("Upload");
    // The token is kept for this tab only.
    const stored = await admin.evaluate(() => ({
      session: Object.values(sessionStorage),
      local: Object.keys(localStorage).length,
    }));
    expect(stored).toEqual({ session: [tokens.admin], local: 0 });
    await admin.getByRole("heading", { name: "Import jobs" }).waitFor();
    await expectAccessible(admin, "empty jobs list");
  });

  it("refuses an unknown token and says so", async () => {
    const page = await openConsole();
    await page.getByLabel("API token").fill("not-a-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").getByText("This token is unknown or revoked.").waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await expectAccessible(page, "sign-in refused");
  });

  it("uploads 01_base.xlsx in smart mode and shows the summary and the candidates", async () => {
    await admin.getByRole("link", { name: "Upload" }).click();
    await admin.getByRole("heading", { name: "Upload a file" }).waitFor();
    await expectAccessible(admin, "upload");
    await uploadInPage(admin, "01_base.xlsx", "smart");
    const stats = await admin
      .locator(".stats .stat")
      .evaluateAll((items) =>
        items.map((item) => [
          item.querySelector("dt")?.textContent,
          item.querySelector("dd")?.textContent,
        ]),
      );
    expect(Object.fromEntries(stats)).toEqual({
      Rows: "27",
      "Valid rows": "27",
      "Rows with errors": "0",
      "Rows with warnings": "0",
      Errors: "0",
      Warnings: "0",
    });
    expect(await tableRows(admin.locator("#planned-counts"))).toEqual([
      ["Products", "14", "0", "0"],
      ["Variants", "27", "0", "0"],
    ]);
    expect(await tableRows(admin.locator("#candidate-counts"))).toEqual([
      ["Categories", "3"],
      ["Series", "3"],
      ["Brands", "3"],
    ]);
    // The candidates themselves, as the fixture's expected outcome lists them.
    const candidates = admin.locator(".candidates-table");
    await candidates.waitFor();
    const expected = readFixtureJson<{
      candidates: Record<string, { slug: string; name: string; category_slug?: string }[]>;
    }>("01_base.expected.json").candidates;
    const listed = (await tableRows(candidates)).map(([type, slug, name, category]) => ({
      type,
      slug,
      name,
      category,
    }));
    const wanted = (["categories", "series", "brands"] as const).flatMap((group) =>
      (expected[group] ?? []).map((candidate) => ({
        type: { categories: "category", series: "series", brands: "brand" }[group],
        slug: candidate.slug,
        name: candidate.name,
        category: candidate.category_slug ?? "",
      })),
    );
    expect(listed).toEqual(wanted);
    expect(listed).toHaveLength(9);
    await expectAccessible(admin, "job overview (validated)");
  });

  it("commits after a confirmation that says what will be written, and shows success", async () => {
    await admin.getByRole("button", { name: "Commit…" }).click();
    const dialog = admin.getByRole("dialog", { name: "Commit 01_base.xlsx?" });
    await dialog.waitFor();
    const writes = await dialog.locator(".writes li").allTextContents();
    expect(writes).toEqual([
      "New 3 categories, 3 series and 3 brands (candidates)",
      "Products: 14 created, 0 updated, 0 left unchanged",
      "Variants: 27 created, 0 updated, 0 left unchanged",
    ]);
    await expectAccessible(admin, "commit confirmation");
    await dialog.getByRole("button", { name: "Commit", exact: true }).click();
    await waitForStatus(admin, "success");
    expect(await tableRows(admin.locator("#applied-counts"))).toEqual([
      ["Products", "14", "0", "0"],
      ["Variants", "27", "0", "0"],
    ]);
    await admin.getByText("every created product and variant was found in the database").waitFor();
    expect((await jobFromApi(jobs["01_base.xlsx"] as string)).status).toBe("success");
  });

  it("filters the issues of 02_update.csv by severity, code and column, with the file's row numbers", async () => {
    await uploadInPage(admin, "02_update.csv", "strict");
    await admin.getByRole("link", { name: /^Issues/ }).click();
    const table = admin.locator(".issues-table");
    await table.waitFor();
    const expected = readFixtureJson<{ issues: ExpectedIssue[] }>("02_update.expected.json").issues;
    const shown = async () =>
      (await tableRows(table)).map(([row, column, severity, code]) => ({
        row: Number(row),
        column,
        severity,
        code,
      }));
    expect(await captionOf(table)).toBe(`${expected.length} issues, by row`);
    expect(await shown()).toEqual(
      expected.map(({ row, column, severity, code }) => ({ row, column, severity, code })),
    );
    await expectAccessible(admin, "issues");

    const names = ["severity", "code", "column"];
    const apply = async (filter: { severity?: string; code?: string; column?: string }) => {
      const clear = () => admin.getByRole("button", { name: "Clear" }).click();
      if (admin.url().includes("?")) await settle(admin, "Issues", filterIs(names, {}), clear);
      else await clear();
      if (filter.severity) await admin.getByLabel("Severity").selectOption(filter.severity);
      if (filter.code) await admin.getByLabel("Code").fill(filter.code);
      if (filter.column) await admin.getByLabel("Column").fill(filter.column);
      await settle(admin, "Issues", filterIs(names, filter), () =>
        admin.getByRole("button", { name: "Apply filters" }).click(),
      );
      return shown();
    };
    const pick = (keep: (issue: ExpectedIssue) => boolean) =>
      expected
        .filter(keep)
        .map(({ row, column, severity, code }) => ({ row, column, severity, code }));
    const warnings = await apply({ severity: "warning" });
    expect(warnings).toEqual(pick((issue) => issue.severity === "warning"));
    expect(warnings.length).toBeGreaterThan(0);
    const byCode = await apply({ code: "INVALID_PRICE" });
    expect(byCode).toEqual(pick((issue) => issue.code === "INVALID_PRICE"));
    expect(byCode.length).toBeGreaterThan(0);
    const byColumn = await apply({ column: "brand", severity: "error" });
    expect(byColumn).toEqual(
      pick((issue) => issue.column === "brand" && issue.severity === "error"),
    );
    expect(byColumn.length).toBeGreaterThan(0);
    expect(await apply({ column: "brand", severity: "warning" })).toEqual([]);
    await admin.getByText("No issue matches these filters.").waitFor();
    await expectAccessible(admin, "issues filtered to none");
  });

  it("shows the field-level diff of 02_update.csv's updates, before and after", async () => {
    await admin.goto(`/#/jobs/${jobs["02_update.csv"]}`);
    await admin.getByRole("link", { name: "Planned changes" }).click();
    const table = admin.locator(".changes-table");
    await table.waitFor();
    // Creates and updates, as the preview counts them.
    expect(await captionOf(table)).toBe("15 changes, in the order commit applies them");
    await admin.getByLabel("Action", { exact: true }).selectOption("update");
    await settle(admin, "Changes", filterIs(["entity", "action"], { action: "update" }), () =>
      admin.getByRole("button", { name: "Apply filters" }).click(),
    );
    // What the page shows for each update: key → field → [before, after].
    const shown = await table
      .locator("tbody tr")
      .evaluateAll((rows) =>
        Object.fromEntries(
          rows.map((row) => [
            row.querySelector("th code")?.textContent,
            Object.fromEntries(
              [...row.querySelectorAll(".change-fields li")].map((item) => [
                item.querySelector(".field-name")?.textContent,
                [
                  item.querySelector("del")?.textContent?.replace(/^before: /, ""),
                  item.querySelector("ins")?.textContent?.replace(/^after: /, ""),
                ],
              ]),
            ),
          ]),
        ),
      );
    // The same diffs, from the fixtures' expected outcomes: what 01 stored, what 02 says.
    type Variants = Record<string, Record<string, unknown>>;
    const base = readFixtureJson<{ variants: Variants }>("01_base.expected.json").variants;
    const update = readFixtureJson<{ variants: Variants }>("02_update.expected.json").variants;
    const expected: Record<string, Record<string, [unknown, unknown]>> = {};
    for (const [code, values] of Object.entries(update)) {
      const before = base[code];
      if (!before) continue;
      for (const field of ["dimensions", "price"]) {
        const after = values[field];
        if (after === null || after === before[field]) continue;
        expected[code] = { ...expected[code], [field]: [before[field], after] };
      }
    }
    expect(Object.keys(expected)).toHaveLength(5);
    expect(shown).toEqual(expected);
    await expectAccessible(admin, "planned changes with diffs");
    await screenshot(admin, "console-preview-diff.png");
  });

  it("reverts a committed job as admin", async () => {
    await admin.goto(`/#/jobs/${jobs["02_update.csv"]}`);
    await waitForStatus(admin, "validated");
    await commitInPage(admin, { allowPartial: true });
    await waitForStatus(admin, "partial");
    await admin.getByRole("button", { name: "Revert…" }).click();
    const dialog = admin.getByRole("dialog", { name: "Revert 02_update.csv?" });
    await dialog.waitFor();
    await expectAccessible(admin, "revert confirmation");
    await dialog.getByRole("button", { name: "Revert", exact: true }).click();
    await waitForStatus(admin, "reverted");
    expect(await admin.getByRole("button", { name: "Revert…" }).count()).toBe(0);
  });

  it("shows a refused revert with the conflicting keys", async () => {
    await uploadInPage(admin, "07_updates.csv", "strict", { drop: true });
    expect((await jobFromApi(jobs["07_updates.csv"] as string)).file_name).toBe("07_updates.csv");
    await commitInPage(admin, { allowPartial: true });
    await waitForStatus(admin, "partial");

    await admin.goto(`/#/jobs/${jobs["01_base.xlsx"]}`);
    await waitForStatus(admin, "success");
    await admin.getByRole("button", { name: "Revert…" }).click();
    await admin.getByRole("dialog").getByRole("button", { name: "Revert", exact: true }).click();
    const refused = admin.getByRole("region", { name: "Revert refused" });
    await refused.waitFor({ timeout: UI_TIMEOUT_MS });
    const job = await jobFromApi(jobs["01_base.xlsx"] as string);
    expect(job.status).toBe("success");
    expect(job.revert_refusal?.code).toBe("REVERT_CONFLICT");
    const conflicts =
      (job.revert_refusal?.details as { conflicts?: string[] } | undefined)?.conflicts ?? [];
    expect(conflicts.length).toBeGreaterThan(0);
    const listed = await refused
      .getByRole("list", { name: "Conflicting rows" })
      .locator("li")
      .allTextContents();
    expect(listed).toEqual(conflicts.map((key) => key.replace(":", " ")));
    await expectAccessible(admin, "refused revert");
    await screenshot(admin, "console-revert-refused.png");
  });

  it("updates the jobs list live while a job moves, and filters it by status and user", async () => {
    await admin
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Jobs" })
      .click();
    const table = admin.locator(".jobs-table");
    await table.waitFor();
    await admin.evaluate(() => {
      window.notReloaded = true;
    });
    const before = await tableRows(table);
    const upload = await uploadWithApi(
      "05_errors.xlsx",
      await readFixture("05_errors.xlsx"),
      "strict",
    );
    jobs["05_errors.xlsx"] = upload.id;
    // The new job appears, then reaches validated, without a reload.
    await table
      .locator("tbody tr", { hasText: "05_errors.xlsx" })
      .locator(".badge", { hasText: /^validated$/ })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await admin.evaluate(() => window.notReloaded)).toBe(true);
    const after = await tableRows(table);
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]?.slice(0, 4)).toEqual([
      "05_errors.xlsx",
      "validated",
      "strict",
      "importer@system.test",
    ]);
    await expectAccessible(admin, "jobs list");
    await screenshot(admin, "console-jobs.png");

    const names = ["status", "created_by"];
    await admin.getByLabel("Status").selectOption("partial");
    await settle(admin, "Jobs", filterIs(names, { status: "partial" }), () =>
      admin.getByRole("button", { name: "Apply filters" }).click(),
    );
    expect((await tableRows(table)).map((row) => [row[0], row[1]])).toEqual([
      ["07_updates.csv", "partial"],
    ]);
    expect(await captionOf(table)).toBe("1 job matching the filters, newest first");
    await settle(admin, "Jobs", filterIs(names, {}), () =>
      admin.getByRole("button", { name: "Clear" }).click(),
    );
    await admin.getByLabel("Uploaded by").fill("importer@system.test");
    await settle(admin, "Jobs", filterIs(names, { created_by: "importer@system.test" }), () =>
      admin.getByRole("button", { name: "Apply filters" }).click(),
    );
    expect((await tableRows(table)).map((row) => row[0])).toEqual(["05_errors.xlsx"]);
  });

  it("shows queue depths, jobs by status, stuck and failed jobs on the health page", async () => {
    await admin.getByRole("link", { name: "Health" }).click();
    await admin.locator("#queue-depths").waitFor();
    expect((await tableRows(admin.locator("#queue-depths"))).map((row) => row[0])).toEqual([
      "validate",
      "commit",
      "revert",
      "report",
    ]);
    const byStatus = Object.fromEntries(await tableRows(admin.locator("#jobs-by-status")));
    expect(byStatus).toEqual({ validated: "1", success: "1", partial: "1", reverted: "1" });
    await admin.getByText("No job is stuck.").waitFor();
    await expectAccessible(admin, "health");
  });

  it("offers a viewer no upload, commit, revalidate or revert control", async () => {
    const viewer = await openConsole();
    await signIn(viewer, "viewer");
    const nav = viewer.getByRole("navigation", { name: "Main" });
    expect(await nav.getByRole("link").allTextContents()).toEqual(["Jobs", "Health"]);
    await viewer.goto(`/#/jobs/${jobs["05_errors.xlsx"]}`);
    await waitForStatus(viewer, "validated");
    const actions = viewer.getByRole("region", { name: "Actions" });
    expect(await actions.getByRole("button").allTextContents()).toEqual(["Download report (XLSX)"]);
    await viewer.goto(`/#/jobs/${jobs["01_base.xlsx"]}`);
    await waitForStatus(viewer, "success");
    expect(await actions.getByRole("button").allTextContents()).toEqual(["Download report (XLSX)"]);
    await viewer.goto("/#/upload");
    await viewer.getByText("Your role may not upload files.").waitFor();
    expect(await viewer.getByLabel("File (XLSX or CSV)").count()).toBe(0);
    await expectAccessible(viewer, "viewer upload refusal");

    // The same validated job offers an importer commit and revalidate, and only an admin revert.
    const importer = await openConsole();
    await signIn(importer, "importer");
    await importer.goto(`/#/jobs/${jobs["05_errors.xlsx"]}`);
    await waitForStatus(importer, "validated");
    expect(
      await importer.getByRole("region", { name: "Actions" }).getByRole("button").allTextContents(),
    ).toEqual(["Commit…", "Cancel job…", "Revalidate", "Download report (XLSX)"]);
    await importer.goto(`/#/jobs/${jobs["01_base.xlsx"]}`);
    await waitForStatus(importer, "success");
    expect(
      await importer.getByRole("region", { name: "Actions" }).getByRole("button").allTextContents(),
    ).toEqual(["Revalidate", "Download report (XLSX)"]);
  });

  it("cancels a validated job after a confirmation, then revalidates it", async () => {
    await admin.goto(`/#/jobs/${jobs["05_errors.xlsx"]}`);
    await waitForStatus(admin, "validated");
    await admin.getByRole("button", { name: "Cancel job…" }).click();
    const dialog = admin.getByRole("dialog", { name: "Cancel 05_errors.xlsx?" });
    await dialog.waitFor();
    await expectAccessible(admin, "cancel confirmation");
    await dialog.getByRole("button", { name: "Cancel the job" }).click();
    await waitForStatus(admin, "cancelled");
    expect((await jobFromApi(jobs["05_errors.xlsx"] as string)).status).toBe("cancelled");
    const buttons = admin.getByRole("region", { name: "Actions" }).getByRole("button");
    expect(await buttons.allTextContents()).toEqual(["Revalidate", "Download report (XLSX)"]);

    // Revalidate makes a new job from the same stored file, and the page follows it.
    await admin.getByRole("button", { name: "Revalidate" }).click();
    await admin.waitForURL((url) => !url.hash.includes(jobs["05_errors.xlsx"] as string));
    await waitForStatus(admin, "validated");
    const again = await jobFromApi(jobIdOf(admin));
    expect(again).toMatchObject({
      file_name: "05_errors.xlsx",
      revalidated_from: jobs["05_errors.xlsx"],
    });
    await admin.getByRole("link", { name: "an earlier job" }).waitFor();
  });

  it("downloads the report with the token", async () => {
    await admin.goto(`/#/jobs/${jobs["01_base.xlsx"]}`);
    await waitForStatus(admin, "success");
    const [download] = await Promise.all([
      admin.waitForEvent("download"),
      admin.getByRole("button", { name: "Download report (XLSX)" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`import_report_${jobs["01_base.xlsx"]}.xlsx`);
    const path = await download.path();
    const bytes = await import("node:fs/promises").then((fs) => fs.readFile(path));
    // An XLSX is a zip.
    expect(bytes.subarray(0, 2).toString("latin1")).toBe("PK");
  });

  it("stays readable in a narrow window (no sideways scrolling of the page)", async () => {
    const narrow = await openConsole({ width: 390, height: 844 });
    await signIn(narrow, "admin");
    const views = [
      ["/#/jobs", ".jobs-table"],
      [`/#/jobs/${jobs["02_update.csv"]}/issues`, ".issues-table"],
      [`/#/jobs/${jobs["01_base.xlsx"]}`, "#planned-counts"],
      ["/#/health", "#queue-depths"],
      ["/#/upload", "form.upload"],
    ];
    for (const [view, ready] of views) {
      await narrow.goto(view as string);
      await narrow.locator(ready as string).waitFor();
      const overflow = await narrow.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect({ view, overflow }).toEqual({ view, overflow: 0 });
    }
    await expectAccessible(narrow, "narrow window");
  });

  it("shows a 10,000-issue job's issues page (load time logged)", async () => {
    // 10,000 data rows (5,000 products of two variants, the most a file may
    // hold), each row with exactly one issue: an invalid price, or for every
    // fifth product a title over 200 characters (a warning).
    const lines = ["category,title_en,model_code,price"];
    for (let index = 1; index <= 10_000; index++) {
      const product = Math.ceil(index / 2);
      const long = product % 5 === 0;
      const title = long ? `Long ${"x".repeat(210)} ${product}` : `Product ${product}`;
      lines.push(`Bulk,${title},BULK-${index},${long ? "10.00" : "1.234.56"}`);
    }
    // Uploaded through the page with the workers frozen and the upload slowed
    // down, so the upload's progress and the wait for a worker are both seen.
    const uploader = await openConsole();
    await signIn(uploader, "importer");
    await uploader.getByRole("link", { name: "Upload" }).click();
    const cdp = await uploader.context().newCDPSession(uploader);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });
    for (const worker of system.workers) worker.kill("SIGSTOP");
    try {
      await uploader.getByLabel("File (XLSX or CSV)").setInputFiles({
        name: "10000_issues.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(lines.join("\n")),
      });
      await uploader.getByRole("radio", { name: "Smart" }).check();
      await uploader.getByRole("button", { name: "Upload and validate" }).click();
      const progress = uploader.locator("progress#upload-progress");
      await progress.waitFor();
      await uploader.waitForFunction(
        () => {
          const bar = document.querySelector("#upload-progress") as {
            value: number;
            max: number;
          } | null;
          return bar !== null && bar.value > 0 && bar.value < bar.max;
        },
        undefined,
        { timeout: UI_TIMEOUT_MS },
      );
      await uploader.waitForURL(/#\/jobs\/[0-9a-f-]{36}/, { timeout: UI_TIMEOUT_MS });
      await uploader.getByRole("progressbar", { name: "Waiting for a worker" }).waitFor();
      await waitForStatus(uploader, "pending");
    } finally {
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
      for (const worker of system.workers) worker.kill("SIGCONT");
    }
    const id = jobIdOf(uploader);
    await waitForStatus(uploader, "validated");
    const validated = await jobFromApi(id);
    expect(validated.summary?.errors).toBe(8_000);
    expect(validated.summary?.warnings).toBe(2_000);
    const upload = { id };

    const page = await openConsole();
    await signIn(page, "viewer");
    const caption = page.locator(".issues-table caption", { hasText: "10,000 issues, by row" });
    // A fresh load of the page at the issues view: HTML, modules, job and first issue page.
    const fresh = Date.now();
    await page.goto(`/#/jobs/${upload.id}/issues`);
    await caption.waitFor();
    const freshMs = Date.now() - fresh;
    // From the job's overview, a click on the Issues tab.
    await page.getByRole("link", { name: "Overview" }).click();
    await page.locator("#planned-counts").waitFor();
    const tab = Date.now();
    await page.getByRole("link", { name: /^Issues/ }).click();
    await caption.waitFor();
    const tabMs = Date.now() - tab;
    // The last page (offset 9,950).
    const last = Date.now();
    await settle(
      page,
      "Issues",
      (query) => query.get("offset") === "9950",
      () => page.getByRole("button", { name: "Last" }).click(),
    );
    const lastMs = Date.now() - last;
    await page.getByText("9,951–10,000 of 10,000").waitFor();
    expect((await tableRows(page.locator(".issues-table"))).at(-1)?.[0]).toBe("10001");
    // A filter over the 10,000 issues (the 2,000 warnings).
    await page.getByLabel("Severity").selectOption("warning");
    const filter = Date.now();
    await settle(
      page,
      "Issues",
      (query) => query.get("severity") === "warning",
      () => page.getByRole("button", { name: "Apply filters" }).click(),
    );
    const filterMs = Date.now() - filter;
    expect(await captionOf(page.locator(".issues-table"))).toBe(
      "2,000 issues matching the filters, by row",
    );
    const requests = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((entry) => entry.name.includes("/issues/"))
        .map((entry) => Math.round(entry.duration)),
    );
    console.log(
      `10,000-issue job, issues page shown in the browser: fresh page load ${freshMs} ms, ` +
        `Issues tab ${tabMs} ms, last page ${lastMs} ms, severity filter ${filterMs} ms; ` +
        `issues API requests ${requests.join(", ")} ms`,
    );
    await expectAccessible(page, "10,000-issue job issues");
  });

  it("logged no script error and no refused resource in any page", () => {
    for (const context of contexts) {
      for (const page of context.pages()) expect(pageProblems(page)).toEqual([]);
    }
  });
});
