/** @jest-config-loader esbuild-register */
/**
 * The fault suite (`npm run faults`): `test/faults/*.fault.test.ts`, each a
 * scenario against the whole system as real processes (packages/testing's
 * process harness), injecting one kind of fault (an outage, a worker killed). A project of
 * its own, outside `npm test`: it takes minutes, and runs one scenario at a
 * time so the processes of two scenarios do not compete for the CPU.
 */
import type { Config } from "jest";

const config: Config = {
  rootDir: __dirname,
  testEnvironment: "node",
  roots: ["<rootDir>/test/faults"],
  testMatch: ["**/*.fault.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  moduleNameMapper: { "^@catalog/([^/]+)$": "<rootDir>/packages/$1/src" },
  globalSetup: "<rootDir>/test/global-setup.ts",
  globalTeardown: "<rootDir>/test/global-teardown.ts",
  displayName: "faults",
  maxWorkers: 1,
  testTimeout: 30 * 60_000,
};

export default config;
