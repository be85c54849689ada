export * from "./catalog-dump";
export * from "./fixtures";
export * from "./prometheus-tools";
export * from "./system-harness";
export * from "./test-services";
