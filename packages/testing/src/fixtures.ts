/**
 * The catalog fixtures (test/fixtures): real files written by other programs, with
 * their expected outcomes. Every test reads them through these functions, so the
 * folder is named in one place and nothing reads test data from outside the
 * repository.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

/** The fixtures folder, from this repository's root. */
export const FIXTURES_DIR = path.resolve(__dirname, "../../../test/fixtures");

/** A fixture's path. */
export function fixturePath(name: string): string {
  return path.join(FIXTURES_DIR, name);
}

/** A fixture's bytes. */
export function readFixture(name: string): Promise<Buffer> {
  return readFile(fixturePath(name));
}

/** A fixture's JSON (an `*.expected.json`, `sequence.json`, `catalog_after.json`). */
export function readFixtureJson<T>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name), "utf8")) as T;
}
