export * from "./catalog-dump";
export * from "./fixtures";
export * from "./system-harness";
export * from "./test-services";
