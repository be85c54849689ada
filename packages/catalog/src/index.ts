export * from "./catalog-view.repository";
export * from "./catalog-writes";
export * from "./commit-plan";
export * from "./apply-commit-plan";
