export * from "./embedded-s3-server";
export * from "./object-store";
export * from "./s3-client";
export * from "./storage-errors";
