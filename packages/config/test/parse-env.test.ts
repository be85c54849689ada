import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { databaseEnv, EnvError, limitsEnv, parseEnv, port, redisEnv } from "@catalog/config";

const root = resolve(__dirname, "../../..");

describe("parseEnv", () => {
  it("applies the local defaults when nothing is set", () => {
    const env = parseEnv({ ...databaseEnv, ...limitsEnv }, {});
    expect(env.DATABASE_URL).toBe("postgres://postgres@127.0.0.1:5432/catalog_import");
    expect(env.MAX_FILE_BYTES).toBe(10 * 1024 * 1024);
    expect(env.MAX_VARIANTS).toBe(10_000);
    expect(env.COMMIT_TIMEOUT_S).toBe(300);
  });

  it("names every bad variable in one message", () => {
    const parse = () =>
      parseEnv({ PORT: port(3000), ...limitsEnv }, { PORT: "abc", MAX_PRODUCTS: "-1" });
    expect(parse).toThrow(EnvError);
    expect(parse).toThrow(/PORT="abc"/);
    expect(parse).toThrow(/MAX_PRODUCTS="-1"/);
  });

  it("wants a queue prefix holding a Redis Cluster hash tag, {catalog-import} by default", () => {
    expect(parseEnv(redisEnv, {}).QUEUE_PREFIX).toBe("{catalog-import}");
    for (const good of ["{a}", "{tenant-1}:imports", "x{y}"]) {
      expect(parseEnv(redisEnv, { QUEUE_PREFIX: good }).QUEUE_PREFIX).toBe(good);
    }
    for (const bad of ["catalog-import", "{}", "{open", "{}{x}"]) {
      expect(() => parseEnv(redisEnv, { QUEUE_PREFIX: bad })).toThrow(/QUEUE_PREFIX=.*hash tag/);
    }
  });

  it("treats an empty value as unset", () => {
    expect(parseEnv({ PORT: port(3000) }, { PORT: "" }).PORT).toBe(3000);
  });
});

describe.each([
  ["api", "apps/api/src/main.ts", { PORT: "abc" }, "PORT"],
  ["worker", "apps/worker/src/main.ts", { VALIDATE_CONCURRENCY: "zero" }, "VALIDATE_CONCURRENCY"],
  ["worker", "apps/worker/src/main.ts", { QUEUE_PREFIX: "catalog-import" }, "QUEUE_PREFIX"],
  ["importctl", "apps/cli/src/main.ts", { DATABASE_URL: "not a url" }, "DATABASE_URL"],
])("the %s process", (_name, script, badEnv, variable) => {
  it(`exits non-zero naming ${variable} when it is invalid`, () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", script, "--help"], {
      cwd: root,
      env: { ...process.env, ...badEnv },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain(`${variable}=`);
  });
});
