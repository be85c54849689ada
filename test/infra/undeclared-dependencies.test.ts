/**
 * The lint step (`npx biome lint .`, as .ci/run runs it) fails when a workspace
 * imports what its package.json does not declare: biome's
 * `lint/correctness/noUndeclaredDependencies` (biome.json). Shown on a copy of
 * the repository's tracked files: as they are, the step passes; with a
 * dependency taken out of `apps/api/package.json`, or moved to its
 * devDependencies (a production install would lack it), the step fails and
 * names the dependency.
 */
import { execFile, execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { REPOSITORY_ROOT } from "@catalog/testing";

const BIOME = join(REPOSITORY_ROOT, "node_modules/.bin/biome");
const MANIFEST = "apps/api/package.json";
/**
 * The API's dependencies that no source file imports, so the rule cannot see
 * them: tsx, the loader its processes run under. (Preact and htm are imported by
 * the console's modules, apps/api/console, which the rule checks too.)
 */
const NOT_IMPORTED = ["tsx"];

interface Manifest {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

const original = readFileSync(join(REPOSITORY_ROOT, MANIFEST), "utf8");

/** Runs biome lint on `paths` in `cwd`: its exit code and output. */
function lint(cwd: string, paths: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(
      BIOME,
      ["lint", "--max-diagnostics=none", ...paths],
      { cwd },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe("the lint step and undeclared dependencies", () => {
  let copy: string;

  /** Writes the copy's apps/api/package.json as `change` leaves the original. */
  function withManifest(change: (manifest: Manifest) => void): void {
    const manifest = JSON.parse(original) as Manifest;
    change(manifest);
    writeFileSync(join(copy, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  }

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), "undeclared-dependencies-"));
    const files = execFileSync("git", ["ls-files", "-z"], {
      cwd: REPOSITORY_ROOT,
      encoding: "utf8",
    })
      .split("\0")
      .filter((file) => file && existsSync(join(REPOSITORY_ROOT, file)));
    for (const file of files) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(REPOSITORY_ROOT, file), join(copy, file));
    }
  });
  afterEach(() => writeFileSync(join(copy, MANIFEST), original));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it("passes on the repository as it is", async () => {
    const run = await lint(copy, ["."]);
    expect({ code: run.code, undeclared: run.output.includes("noUndeclaredDependencies") }).toEqual(
      {
        code: 0,
        undeclared: false,
      },
    );
  });

  it("fails when express is taken out of apps/api/package.json, naming the rule and the dependency", async () => {
    withManifest((manifest) => {
      delete manifest.dependencies.express;
    });
    const run = await lint(copy, ["."]);
    expect(run.code).toBe(1);
    expect(run.output).toContain("lint/correctness/noUndeclaredDependencies");
    expect(run.output).toContain("Dependency express isn't specified in apps/api/package.json");
  });

  it("fails when express is only a devDependency (a production install would not have it)", async () => {
    withManifest((manifest) => {
      manifest.devDependencies.express = manifest.dependencies.express ?? "*";
      delete manifest.dependencies.express;
    });
    const run = await lint(copy, ["."]);
    expect(run.code).toBe(1);
    expect(run.output).toContain("lint/correctness/noUndeclaredDependencies");
    expect(run.output).toContain("Dependency express isn't specified in apps/api/package.json");
  });

  it("fails for each dependency the API's sources and console import, when it is taken out", async () => {
    const names = Object.keys((JSON.parse(original) as Manifest).dependencies).sort();
    expect(names.length).toBeGreaterThan(NOT_IMPORTED.length);
    const unseen: string[] = [];
    for (const name of names) {
      withManifest((manifest) => {
        delete manifest.dependencies[name];
      });
      const run = await lint(copy, ["apps/api"]);
      const named = run.output.includes(`Dependency ${name} isn't specified in ${MANIFEST}`);
      if (run.code === 0 && !named) unseen.push(name);
      else expect({ name, code: run.code, named }).toEqual({ name, code: 1, named: true });
    }
    // Only the dependencies no source imports go unnoticed, and they are known.
    expect(unseen).toEqual(NOT_IMPORTED);
  });
});
