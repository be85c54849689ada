/** The fixtures folder holds exactly the files SHA256SUMS lists, with those bytes. */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { FIXTURES_DIR, fixturePath, readFixtureJson } from "@catalog/testing";

const listed = readFileSync(fixturePath("SHA256SUMS"), "utf8")
  .trim()
  .split("\n")
  .map((line) => {
    const [sha256, name] = line.split(/\s+/);
    return { sha256, name };
  });

describe("test/fixtures", () => {
  it("lists every file but the README and the list itself", () => {
    const present = readdirSync(FIXTURES_DIR)
      .filter((name) => name !== "README.md" && name !== "SHA256SUMS")
      .sort();
    expect(listed.map((entry) => entry.name).sort()).toEqual(present);
    expect(present).toContain("01_base.xlsx");
  });

  it.each(listed)("$name has the listed SHA-256", ({ name, sha256 }) => {
    const actual = createHash("sha256")
      .update(readFileSync(fixturePath(name ?? "")))
      .digest("hex");
    expect(actual).toBe(sha256);
  });

  it("has an expected outcome for every file of the story", () => {
    const sequence = readFixtureJson<{ file: string; expected: string }[]>("sequence.json");
    expect(sequence).toHaveLength(7);
    for (const step of sequence) expect(listed.map((e) => e.name)).toContain(step.expected);
  });
});
