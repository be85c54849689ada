/**
 * One source of truth for the API contract: the committed OpenAPI document and
 * the client types generated from it must equal what the routes' zod schemas
 * generate now. `npm run openapi:check` is the check CI runs (through this
 * test); it is shown here to pass on the repository and to fail on a stale copy.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const ROOT = path.resolve(__dirname, "../../..");
const run = promisify(execFile);

/** Runs the contract check (under `root` when given); its exit code and output. */
async function check(root?: string): Promise<{ code: number; output: string }> {
  const args = ["tsx", "scripts/openapi.ts", "--check", ...(root ? ["--root", root] : [])];
  try {
    const { stdout, stderr } = await run("npx", args, { cwd: ROOT });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe("the API contract (openapi.json and the client's types)", () => {
  let copy: string;
  beforeAll(async () => {
    copy = await mkdtemp(path.join(tmpdir(), "openapi-contract-"));
    await cp(path.join(ROOT, "packages/client"), path.join(copy, "packages/client"), {
      recursive: true,
      filter: (source) => !source.includes("node_modules"),
    });
  });
  afterAll(async () => {
    await rm(copy, { recursive: true, force: true });
  });

  it("is up to date with the zod schemas", async () => {
    const result = await check();
    expect(result.output).toContain("The API contract is up to date.");
    expect(result.code).toBe(0);
  });

  it("fails the check when openapi.json differs from what the schemas generate", async () => {
    const file = path.join(copy, "packages/client/openapi.json");
    const document = JSON.parse(await readFile(file, "utf8"));
    // A drift of the kind a hand-edited document gets: a parameter's pattern.
    document.paths["/api/admin/import-jobs/validate/"].post.parameters[0].schema.pattern = ".*";
    await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
    const result = await check(copy);
    expect(result.code).toBe(1);
    expect(result.output).toContain("packages/client/openapi.json");
    expect(result.output).not.toContain("api-types.ts");
  });
});
