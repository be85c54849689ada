/**
 * Webhooks end to end with real processes (the process harness: API, a worker,
 * S3 and Redis each in their own process) and a real HTTP receiver: signed
 * deliveries for `validated` and `success`, verified with the `standardwebhooks`
 * library and with an independent HMAC; a receiver that times out once and
 * answers 500 once gets the same webhook-id three times through BullMQ's own
 * retries, and the deliveries route lists the three attempts.
 */
import { execFile } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  REPOSITORY_ROOT,
  createTestDatabase,
  readFixture,
  type RunningSystem,
  startSystem,
  type TestDatabase,
} from "@catalog/testing";
import { Webhook } from "standardwebhooks";

jest.setTimeout(180_000);

const SECRET = `whsec_${randomBytes(32).toString("base64")}`;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver answering each path with a scripted sequence of statuses ("hang" never answers). */
async function startReceiver(script: Record<string, (number | "hang")[]>) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "/";
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString() });
      const next = script[path]?.shift() ?? 200;
      if (next === "hang") return;
      response.writeHead(next).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((done) => server.close(done));
    },
  };
}

/** The signature a Standard Webhooks sender must send, computed here independently. */
function expectedSignature(headers: IncomingHttpHeaders, body: string): string {
  const key = Buffer.from(SECRET.slice("whsec_".length), "base64");
  const signed = `${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`;
  return `v1,${createHmac("sha256", key).update(signed).digest("base64")}`;
}

describe("webhooks", () => {
  let database: TestDatabase;
  let system: RunningSystem;
  let token: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver({ "/flaky": [500, 500, 200], "/slow": ["hang", 200] });
    database = await createTestDatabase();
    system = await startSystem({
      databaseUrl: database.url,
      db: database.db,
      workers: 1,
      workerEnv: {
        WEBHOOK_SECRET: SECRET,
        WEBHOOK_RETRY_DELAYS_S: "0.5,0.5,0.5",
        WEBHOOK_TIMEOUT_S: "1",
      },
    });
    token = await system.token("importer");
  });
  afterAll(async () => {
    await system?.stop();
    await database?.drop();
    await receiver?.close();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${system.apiUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
    });

  async function uploadWithCallback(fixture: string, callbackUrl: string): Promise<string> {
    const form = new FormData();
    form.set("mode", "smart");
    form.set("callback_url", callbackUrl);
    form.set("file", new Blob([await readFixture(fixture)]), fixture);
    const response = await api("/api/admin/import-jobs/validate/", { method: "POST", body: form });
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  }

  async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>) {
    for (let attempt = 0; attempt < 300; attempt++) {
      const value = await check();
      if (value !== undefined) return value;
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error(`Timed out waiting for ${what}`);
  }

  const deliveriesTo = (path: string) => receiver.received.filter((r) => r.path === path);

  it("sends one signed delivery for validated and one for success, verifiable by the library", async () => {
    const id = await uploadWithCallback("01_base.xlsx", receiver.url("/ok"));
    const validated = await waitFor("the validated webhook", () =>
      deliveriesTo("/ok").find((r) => r.body.includes('"import_job.validated"')),
    );
    const commit = await api(`/api/admin/import-jobs/${id}/commit/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ allow_partial: false }),
    });
    expect(commit.status).toBe(202);
    const success = await waitFor("the success webhook", () =>
      deliveriesTo("/ok").find((r) => r.body.includes('"import_job.success"')),
    );

    const webhook = new Webhook(SECRET);
    for (const [delivery, status] of [
      [validated, "validated"],
      [success, "success"],
    ] as const) {
      const headers = {
        "webhook-id": String(delivery.headers["webhook-id"]),
        "webhook-timestamp": String(delivery.headers["webhook-timestamp"]),
        "webhook-signature": String(delivery.headers["webhook-signature"]),
      };
      const event = webhook.verify(delivery.body, headers) as {
        type: string;
        timestamp: string;
        data: { id: string; status: string; links: { self: string } };
      };
      expect(headers["webhook-signature"]).toBe(expectedSignature(delivery.headers, delivery.body));
      expect(event.type).toBe(`import_job.${status}`);
      expect(event.data).toMatchObject({ id, status });
      expect(event.data.links.self).toBe(`${system.apiUrl}/api/admin/import-jobs/${id}/`);
      expect(Number.isNaN(Date.parse(event.timestamp))).toBe(false);
      expect(delivery.headers["content-type"]).toBe("application/json");
      // A tampered body fails verification.
      expect(() => webhook.verify(delivery.body.replace(status, "failed"), headers)).toThrow();
    }
    expect(validated.headers["webhook-id"]).not.toBe(success.headers["webhook-id"]);
    // Exactly one delivery per event.
    await new Promise((done) => setTimeout(done, 1_500));
    expect(deliveriesTo("/ok").filter((r) => r.body.includes(`"id":"${id}"`))).toHaveLength(2);
  });

  it("retries a receiver that answers 500 twice with the same webhook-id, and lists the three attempts", async () => {
    const id = await uploadWithCallback("03_turkish.csv", receiver.url("/flaky"));
    const attempts = await waitFor("three attempts", () =>
      deliveriesTo("/flaky").length >= 3 ? deliveriesTo("/flaky") : undefined,
    );
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.headers["webhook-id"])).size).toBe(1);
    expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    for (const attempt of attempts) {
      expect(attempt.headers["webhook-signature"]).toBe(
        expectedSignature(attempt.headers, attempt.body),
      );
    }

    const listed = await waitFor("the delivered state", async () => {
      const response = await api(`/api/admin/import-jobs/${id}/deliveries/`);
      expect(response.status).toBe(200);
      const { items } = (await response.json()) as {
        items: {
          id: string;
          type: string;
          state: string;
          attempts: {
            attempt: number;
            status_code: number | null;
            duration_ms: number;
            error: string | null;
          }[];
        }[];
      };
      return items[0]?.state === "delivered" ? items : undefined;
    });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id: attempts[0]?.headers["webhook-id"],
      type: "import_job.validated",
      state: "delivered",
    });
    expect(listed[0]?.attempts.map((a) => [a.attempt, a.status_code])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    for (const attempt of listed[0]?.attempts ?? [])
      expect(attempt.duration_ms).toBeGreaterThanOrEqual(0);
    // The same, as operators see it.
    const printed = await new Promise<string>((done, fail) =>
      execFile(
        `${REPOSITORY_ROOT}/apps/cli/bin/importctl`,
        ["webhooks", "deliveries", id],
        { cwd: REPOSITORY_ROOT, env: { ...process.env, DATABASE_URL: database.url } },
        (error, stdout) => (error ? fail(error) : done(stdout)),
      ),
    );
    const lines = printed.trim().split("\n");
    expect(lines[0]).toMatch(/^webhook_id\s+type\s+state\s+attempt/);
    expect(
      lines.slice(1).map((line) =>
        line
          .split(/\s{2,}/)
          .slice(3, 4)
          .concat(line.split(/\s{2,}/)[6] ?? ""),
      ),
    ).toEqual([
      ["1", "500"],
      ["2", "500"],
      ["3", "200"],
    ]);
  });

  it("retries a receiver that does not answer within WEBHOOK_TIMEOUT_S; the attempt has no status", async () => {
    const id = await uploadWithCallback("02_update.csv", receiver.url("/slow"));
    const listed = await waitFor("the delivered state", async () => {
      const response = await api(`/api/admin/import-jobs/${id}/deliveries/`);
      const { items } = (await response.json()) as {
        items: {
          state: string;
          attempts: { status_code: number | null; duration_ms: number; error: string | null }[];
        }[];
      };
      return items[0]?.state === "delivered" ? items : undefined;
    });
    const [timedOut, answered] = listed[0]?.attempts ?? [];
    expect(timedOut).toMatchObject({
      status_code: null,
      error: expect.stringMatching(/timeout|abort/i),
    });
    expect(timedOut?.duration_ms).toBeGreaterThanOrEqual(900);
    expect(answered?.status_code).toBe(200);
    const sent = deliveriesTo("/slow");
    expect(sent).toHaveLength(2);
    expect(sent[0]?.headers["webhook-id"]).toBe(sent[1]?.headers["webhook-id"]);
  });
});
