/**
 * Every migration, by name. Listed statically (not read from the folder at run
 * time) so the set is type-checked and works the same under any runner. Kysely
 * applies them in name order: keep the numeric prefix.
 */
import type { Migration } from "kysely";
import * as catalog from "./0001_catalog";
import * as operations from "./0002_operations";
import * as jobLifecycle from "./0003_job_lifecycle";
import * as apiClients from "./0004_api_clients";
import * as operationsTooling from "./0005_operations_tooling";
import * as reportReadiness from "./0006_report_readiness";
import * as changeLogJobUnchecked from "./0007_change_log_job_unchecked";

export const migrations: Record<string, Migration> = {
  "0001_catalog": catalog,
  "0002_operations": operations,
  "0003_job_lifecycle": jobLifecycle,
  "0004_api_clients": apiClients,
  "0005_operations_tooling": operationsTooling,
  "0006_report_readiness": reportReadiness,
  "0007_change_log_job_unchecked": changeLogJobUnchecked,
};
