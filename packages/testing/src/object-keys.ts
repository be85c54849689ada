/** Listing what a test's bucket holds, for tests that prove what was or was not stored. */
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { ObjectStore } from "@catalog/storage";

/** Every key in the bucket under `prefix` (ListObjectsV2, all pages), sorted. */
export async function listKeys(store: ObjectStore, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.client.send(
      new ListObjectsV2Command({ Bucket: store.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ""));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}
