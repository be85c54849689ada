/** @jest-config-loader esbuild-register */
/**
 * One jest run for the whole monorepo, in two projects:
 * - `unit`: `*.test.ts`, pure code (core, readers, report writer), no services;
 * - `integration`: `*.int.test.ts`, against the real Postgres, Redis and the embedded
 *   S3 server; its global setup starts the S3 server and migrates a template database
 *   that every test file clones (see packages/testing).
 * Test files are transformed by @swc/jest; type checking is `tsc --noEmit`, run apart.
 */
import type { Config } from "jest";

const shared = {
  rootDir: __dirname,
  testEnvironment: "node",
  roots: ["<rootDir>/apps", "<rootDir>/packages", "<rootDir>/test"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  moduleNameMapper: { "^@catalog/([^/]+)$": "<rootDir>/packages/$1/src" },
} satisfies Config;

const config: Config = {
  testTimeout: 60_000,
  maxWorkers: 2,
  projects: [
    {
      ...shared,
      displayName: "unit",
      testMatch: ["**/test/**/*.test.ts"],
      // Integration tests, and the fault suite (jest.faults.config.ts, `npm run faults`).
      testPathIgnorePatterns: ["/node_modules/", "\\.int\\.test\\.ts$", "\\.fault\\.test\\.ts$"],
    },
    {
      ...shared,
      displayName: "integration",
      testMatch: ["**/test/**/*.int.test.ts"],
      globalSetup: "<rootDir>/test/global-setup.ts",
      globalTeardown: "<rootDir>/test/global-teardown.ts",
    },
  ],
};

export default config;
