export * from "./fatal-import-error";
export * from "./raw-row";
