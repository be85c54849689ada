export * from "./env-fragments";
export * from "./parse-env";
