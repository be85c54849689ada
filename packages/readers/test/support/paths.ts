/** Where the reader tests find the catalog fixtures and put the files they make. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

export { FIXTURES_DIR, fixturePath as fixture } from "@catalog/testing";

/** A fresh temp folder and its cleanup, for a test file's `beforeAll`/`afterAll`. */
export async function makeTempDir(): Promise<{
  dir: string;
  file: (name: string) => string;
  remove: () => Promise<void>;
}> {
  const dir = await mkdtemp(path.join(tmpdir(), "readers-test-"));
  return {
    dir,
    file: (name) => path.join(dir, name),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
