export * from "./test-services";
export * from "./catalog-dump";
