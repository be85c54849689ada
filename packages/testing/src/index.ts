export * from "./catalog-dump";
export * from "./fixtures";
export * from "./test-services";
export * from "./tcp-proxy";
