/**
 * An S3-compatible server (the `s3rver` package), for local runs and tests only;
 * production points S3_ENDPOINT at real S3 or MinIO. Objects live under a folder
 * of the caller's choosing. `s3rver` is a development dependency, loaded only
 * when a server is started, so a production install (`npm ci --omit=dev`) never
 * has it and no production process loads it.
 */
import { mkdirSync } from "node:fs";

export interface EmbeddedS3Server {
  /** Base URL, e.g. http://127.0.0.1:4569 */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts the server on loopback. `port: 0` picks a free port (tests).
 * `buckets` are created at start.
 */
export async function startEmbeddedS3Server(options: {
  port: number;
  directory: string;
  buckets: string[];
}): Promise<EmbeddedS3Server> {
  mkdirSync(options.directory, { recursive: true });
  // biome-ignore lint/correctness/noUndeclaredDependencies: a development dependency on purpose, loaded only here (see the header).
  const { default: S3rver } = await import("s3rver");
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.port,
    directory: options.directory,
    silent: true,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () => server.close(),
  };
}
