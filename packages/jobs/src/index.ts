export * from "./import-job.repository";
export * from "./job-queues";
export * from "./job-resource";
export * from "./failure-codes";
export * from "./job-failure";
export * from "./stuck-jobs";
