/**
 * The S3 client, built once per process. Works against AWS S3, MinIO or the
 * embedded server used locally and in tests.
 */
import { S3Client } from "@aws-sdk/client-s3";

export interface S3Settings {
  /** Endpoint URL; unset means AWS S3 itself. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Path-style addressing, because S3-compatible servers rarely serve virtual-host
 * buckets on loopback. Checksums only when an operation requires them: with the
 * SDK's default (a CRC trailer on every upload, sent as aws-chunked encoding),
 * streamed uploads to S3-compatible servers can be stored with the chunk framing
 * inside the object, i.e. corrupted.
 */
export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: true,
    credentials: {
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
    },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** The S3 variables of an app's parsed environment (see @catalog/config's s3Env). */
export interface S3Env {
  S3_ENDPOINT?: string;
  S3_REGION: string;
  S3_BUCKET: string;
  S3_ACCESS_KEY_ID: string;
  S3_SECRET_ACCESS_KEY: string;
}

/** S3 settings from a parsed environment. */
export function s3SettingsFromEnv(env: S3Env): S3Settings {
  return {
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    bucket: env.S3_BUCKET,
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
  };
}
