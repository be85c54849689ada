/**
 * Maintenance runs on exactly one worker at a time, chosen through Postgres
 * (an advisory lock on a session of its own), and survives what would lose a
 * Redis-held schedule: the leader's session cut by Postgres, the leader gone.
 */
import { createLogger } from "@catalog/observability";
import { createTestDatabase, type TestDatabase, terminateBackends } from "@catalog/testing";
import { type Maintenance, startMaintenance } from "../src/maintenance/maintenance-loop";

const TICK_MS = 100;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe("the maintenance loop", () => {
  let database: TestDatabase;
  const loops: Maintenance[] = [];
  /** Which loop ran the task, in order. */
  const runs: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    for (const name of ["a", "b", "c"]) {
      loops.push(
        startMaintenance({
          databaseUrl: database.url,
          logger: createLogger("maintenance-test", "silent"),
          tickMs: TICK_MS,
          tasks: [
            {
              name: "record",
              everyMs: TICK_MS,
              run: async () => {
                runs.push(name);
              },
            },
          ],
        }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(loops.map((loop) => loop.stop()));
    await database.drop();
  });

  const leaders = () => loops.filter((loop) => loop.isLeader());
  async function waitForOneLeader(): Promise<Maintenance> {
    for (let i = 0; i < 100; i++) {
      if (leaders().length === 1) return leaders()[0] as Maintenance;
      await sleep(50);
    }
    throw new Error(`${leaders().length} leaders`);
  }

  it("has one leader, and only it runs the tasks", async () => {
    await waitForOneLeader();
    runs.length = 0;
    await sleep(10 * TICK_MS);
    expect(leaders()).toHaveLength(1);
    expect(runs.length).toBeGreaterThan(3);
    expect(new Set(runs).size).toBe(1);
  });

  it("chooses a leader again when Postgres ends the maintenance sessions", async () => {
    await waitForOneLeader();
    const cut = await terminateBackends(database.name, {
      applicationName: "catalog-import-maintenance",
    });
    expect(cut).toBe(3);
    await sleep(3 * TICK_MS);
    await waitForOneLeader();
    runs.length = 0;
    await sleep(10 * TICK_MS);
    expect(runs.length).toBeGreaterThan(3);
    expect(new Set(runs).size).toBe(1);
  });

  it("hands over to another worker when the leader stops", async () => {
    const leader = await waitForOneLeader();
    await leader.stop();
    loops.splice(loops.indexOf(leader), 1);
    const next = await waitForOneLeader();
    expect(next).not.toBe(leader);
    runs.length = 0;
    await sleep(10 * TICK_MS);
    expect(runs.length).toBeGreaterThan(3);
    expect(new Set(runs).size).toBe(1);
  });
});
