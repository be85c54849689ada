export * from "./import-api-client";
export type { components, operations, paths } from "./generated/api-types";
