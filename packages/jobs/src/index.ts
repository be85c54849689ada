export * from "./failure-codes";
export * from "./import-job.repository";
export * from "./job-failure";
export * from "./job-queues";
export * from "./job-resource";
export * from "./media.repository";
export * from "./stuck-jobs";
export * from "./job-health";
