/**
 * The embedded S3-compatible server as a process of its own, for tests and
 * benchmarks that must freeze (SIGSTOP) or kill S3 without touching the process
 * that drives them. Local use only.
 *
 *   node --import tsx scripts/embedded-s3.ts --port 0 --dir /tmp/s3 --bucket a --bucket b
 *
 * Prints one JSON line `{"endpoint": "http://127.0.0.1:<port>"}` once it listens;
 * SIGTERM or SIGINT closes it.
 */
import { parseArgs } from "node:util";
import { startEmbeddedS3Server } from "@catalog/storage";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    dir: { type: "string" },
    bucket: { type: "string", multiple: true, default: [] },
  },
});
if (!values.dir) {
  console.error("usage: embedded-s3.ts --dir DIR [--port PORT] [--bucket NAME]...");
  process.exit(2);
}

const directory = values.dir;

async function main(): Promise<void> {
  const server = await startEmbeddedS3Server({
    port: Number(values.port),
    directory,
    buckets: values.bucket ?? [],
  });
  console.log(JSON.stringify({ endpoint: server.endpoint }));
  const close = () => void server.close().then(() => process.exit(0));
  process.once("SIGTERM", close);
  process.once("SIGINT", close);
}

void main();
