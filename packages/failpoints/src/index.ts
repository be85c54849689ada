export * from "./failpoint";
