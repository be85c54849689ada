/** The typed view of the whole database, assembled from the `*.table.ts` files. */
import type {
  IdempotencyKeyTable,
  WebhookAttemptTable,
  WebhookEventTable,
} from "./api-clients.table";
import type { ApiTokenTable } from "./api-token.table";
import type {
  BrandTable,
  CategoryTable,
  ProductTable,
  SeriesTable,
  VariantTable,
} from "./catalog.table";
import type { ChangeLogTable } from "./change-log.table";
import type { ImportJobTable } from "./import-job.table";
import type { MediaTable } from "./media.table";
import type { ObjectDeletionTable } from "./object-deletion.table";

export interface Database {
  catalog_category: CategoryTable;
  catalog_series: SeriesTable;
  catalog_brand: BrandTable;
  catalog_product: ProductTable;
  catalog_variant: VariantTable;
  catalog_media: MediaTable;
  ops_importjob: ImportJobTable;
  ops_import_change: ChangeLogTable;
  ops_api_token: ApiTokenTable;
  ops_idempotency_key: IdempotencyKeyTable;
  ops_webhook_event: WebhookEventTable;
  ops_webhook_attempt: WebhookAttemptTable;
  ops_object_deletion: ObjectDeletionTable;
}
