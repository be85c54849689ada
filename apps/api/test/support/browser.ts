/**
 * Real Chromium for the console's browser tests: Debian's `chromium` package
 * driven by playwright-core (no browser download; `npm test` installs the
 * package when it is missing, as root or with sudo), and axe-core injected into
 * the page for the accessibility check.
 */
import { existsSync, readFileSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

/** Where the browser is: Debian's chromium unless CHROMIUM_PATH says otherwise. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Flags for a quiet headless run on a machine with no network but loopback:
 * nothing phones home (component updates, sync, background networking), no
 * sandbox (containers run as root), no GPU. Playwright adds --headless and a
 * fresh temporary --user-data-dir of its own to every launch.
 */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

/** Starts headless Chromium, or fails saying how to get it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}. npm test installs Debian's chromium with apt-get (as root or with sudo) ` +
        "(apt-get install -y chromium); otherwise install it, or set CHROMIUM_PATH to a Chromium binary.",
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** What one axe-core run found. */
export interface AxeReport {
  /** Rules that passed: proof the check ran on a real page. */
  passes: number;
  /** Violations of impact serious or critical, as `rule: selector` lines. */
  serious: string[];
}

/**
 * Runs axe-core on the page as it is now. It is evaluated through the
 * DevTools protocol, so the console's Content-Security-Policy (no inline
 * scripts) does not stop it.
 */
export async function checkAccessibility(page: Page): Promise<AxeReport> {
  const loaded = await page.evaluate(() => "axe" in globalThis);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    type Result = { id: string; impact?: string | null; nodes: { target: unknown[] }[] };
    // axe.run() with no context checks the whole document.
    const { axe } = globalThis as unknown as {
      axe: { run(): Promise<{ passes: Result[]; violations: Result[] }> };
    };
    const result = await axe.run();
    return {
      passes: result.passes.length,
      serious: result.violations
        .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
        .flatMap((violation) =>
          violation.nodes.map((node) => `${violation.id}: ${node.target.join(" ")}`),
        ),
    };
  });
}
