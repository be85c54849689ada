/**
 * Deleting what a refused upload stored, without making its client wait for an
 * outage. The delete is tried at once, briefly; when storage does not answer
 * (it is down, or hangs), the refusal is sent anyway and the delete goes on in
 * the background, retried with backoff until storage answers again. Storage
 * that hung may still process the upload's own request once it resumes, so an
 * object deleted in the background is deleted once more a little later.
 * A process that stops before then leaves an orphan for `importctl snapshots
 * cleanup` (objects no job refers to).
 */
import type { Logger } from "@catalog/observability";
import { deleteObject, type ObjectStore } from "@catalog/storage";

/** How long the client's answer waits for the delete. */
const IMMEDIATE_DELETE_MS = 2_000;
/** Background retries: first delay, longest delay, and when to give up. */
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 30_000;
const GIVE_UP_AFTER_MS = 15 * 60_000;
/** Delay of the second delete, after a late write of the refused request. */
const LATE_WRITE_MS = 10_000;

const sleep = (ms: number) =>
  new Promise<void>((done) => {
    setTimeout(done, ms).unref();
  });

/** Deletes `key` now if storage answers within a moment, else in the background. */
export async function deleteRefusedObject(
  store: ObjectStore,
  key: string,
  logger: Logger,
): Promise<void> {
  try {
    await deleteObject(store, key, AbortSignal.timeout(IMMEDIATE_DELETE_MS));
    return;
  } catch (error) {
    logger.warn(
      { err: error, key },
      "Could not delete a refused upload now; retrying in the background",
    );
  }
  void deleteInBackground(store, key, logger);
}

async function deleteInBackground(store: ObjectStore, key: string, logger: Logger): Promise<void> {
  const started = Date.now();
  let delay = RETRY_FIRST_MS;
  for (;;) {
    await sleep(delay);
    try {
      await deleteObject(store, key);
      await sleep(LATE_WRITE_MS);
      await deleteObject(store, key);
      logger.info({ key }, "Refused upload deleted");
      return;
    } catch (error) {
      if (Date.now() - started > GIVE_UP_AFTER_MS) {
        logger.error({ err: error, key }, "Could not delete a refused upload; giving up");
        return;
      }
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }
}
