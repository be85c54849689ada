/**
 * Reading and writing the service's objects (inputs, snapshots, reports) in one
 * bucket. Uploads accept a Buffer or a stream of unknown length; large streams go
 * up as multipart uploads without being held in memory whole.
 */
import { createHash } from "node:crypto";
import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

/** The bucket and client every storage call uses. */
export interface ObjectStore {
  client: S3Client;
  bucket: string;
}

/** What was stored: its size and SHA-256, computed over the bytes as they went up. */
export interface StoredObject {
  key: string;
  sizeBytes: number;
  sha256: string;
}

/** Thrown when an object that should exist does not. */
export class ObjectNotFoundError extends Error {
  override readonly name = "ObjectNotFoundError";
  constructor(readonly key: string) {
    super(`No object at ${key}`);
  }
}

/**
 * Stores `body` at `key`, hashing it on the way. A stream is piped through a hash
 * and uploaded with lib-storage's `Upload`, which sends parts of 5 MiB as they fill.
 */
export async function putObject(
  store: ObjectStore,
  key: string,
  body: Buffer | Readable,
  contentType: string,
): Promise<StoredObject> {
  const hash = createHash("sha256");
  let sizeBytes = 0;
  if (Buffer.isBuffer(body)) {
    hash.update(body);
    sizeBytes = body.length;
  }
  const source = Buffer.isBuffer(body) ? body : new PassThrough();
  const upload = new Upload({
    client: store.client,
    params: { Bucket: store.bucket, Key: key, Body: source, ContentType: contentType },
    queueSize: 2,
  });
  if (Buffer.isBuffer(body)) {
    await upload.done();
  } else {
    const counting = source as PassThrough;
    body.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      sizeBytes += chunk.length;
    });
    // Wait for both sides to settle: when the source fails, lib-storage must finish
    // aborting its multipart upload before the caller cleans up (or answers 413).
    const [piped, uploaded] = await Promise.allSettled([pipeline(body, counting), upload.done()]);
    if (piped.status === "rejected") {
      await upload.abort().catch(() => undefined);
      throw piped.reason;
    }
    if (uploaded.status === "rejected") throw uploaded.reason;
  }
  return { key, sizeBytes, sha256: hash.digest("hex") };
}

/** A readable stream of the object's bytes. */
export async function getObjectStream(store: ObjectStore, key: string): Promise<Readable> {
  try {
    const response = await store.client.send(
      new GetObjectCommand({ Bucket: store.bucket, Key: key }),
    );
    return response.Body as Readable;
  } catch (error) {
    if (error instanceof NoSuchKey) throw new ObjectNotFoundError(key);
    throw error;
  }
}

/** The whole object in memory; for small objects (snapshots, reports) only. */
export async function getObjectBuffer(store: ObjectStore, key: string): Promise<Buffer> {
  const stream = await getObjectStream(store, key);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The object's size, or `null` when there is no such object. */
export async function headObject(
  store: ObjectStore,
  key: string,
): Promise<{ sizeBytes: number } | null> {
  try {
    const head = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key }));
    return { sizeBytes: head.ContentLength ?? 0 };
  } catch (error) {
    if (error instanceof NotFound || (error as { name?: string }).name === "NotFound") return null;
    throw error;
  }
}

/** Deletes the object; deleting a missing object is not an error. */
export async function deleteObject(store: ObjectStore, key: string): Promise<void> {
  await store.client.send(new DeleteObjectCommand({ Bucket: store.bucket, Key: key }));
}

/** An object as the bucket lists it. */
export interface ListedObject {
  key: string;
  sizeBytes: number;
  lastModified: Date;
}

/**
 * Every object of the bucket (under `prefix`), a page at a time (up to 1,000
 * keys per page, as S3 returns them), so a large bucket is never held whole.
 */
export async function* listObjectPages(
  store: ObjectStore,
  prefix?: string,
): AsyncGenerator<ListedObject[]> {
  let continuationToken: string | undefined;
  do {
    const page = await store.client.send(
      new ListObjectsV2Command({
        Bucket: store.bucket,
        Prefix: prefix,
        ContinuationToken: continuationToken,
      }),
    );
    yield (page.Contents ?? []).flatMap((object) =>
      object.Key
        ? [
            {
              key: object.Key,
              sizeBytes: object.Size ?? 0,
              lastModified: object.LastModified ?? new Date(0),
            },
          ]
        : [],
    );
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);
}

/** Creates the bucket when it does not exist (local and test setups). */
export async function ensureBucket(store: ObjectStore): Promise<void> {
  try {
    await store.client.send(new HeadBucketCommand({ Bucket: store.bucket }));
  } catch {
    await store.client.send(new CreateBucketCommand({ Bucket: store.bucket }));
  }
}

/** Whether the bucket answers; for readiness probes. */
export async function pingBucket(store: ObjectStore): Promise<void> {
  await store.client.send(new HeadBucketCommand({ Bucket: store.bucket }));
}
