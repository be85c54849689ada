export * from "./catalog-dump";
export * from "./fixtures";
export * from "./prometheus-tools";
export * from "./system-harness";
export * from "./test-services";
export * from "./tcp-proxy";
export * from "./object-keys";
export * from "./report-readiness";
