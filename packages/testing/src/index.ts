export * from "./test-services";
