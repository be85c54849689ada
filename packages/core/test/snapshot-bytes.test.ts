/**
 * The snapshot's bytes are a stored format: a snapshot written by an earlier version
 * must still hash and read the same, so the bytes of the fixture story's snapshots are
 * pinned here. The digests were computed with the original, generic canonical JSON
 * encoder; a faster encoder must give exactly the same bytes.
 */
import { createHash } from "node:crypto";
import {
  applyPlanToCatalog,
  buildSnapshot,
  type CatalogView,
  canonicalJson,
  catalogKeys,
  decodeSnapshot,
  emptyCatalogView,
  encodeSnapshot,
  FatalImportError,
  type ImportMode,
  normalizeFile,
  planImport,
  type Snapshot,
} from "@catalog/core";
import { loadView } from "./support/catalog";
import { fixtureRows, readFixtureJson } from "./support/fixtures";

const LIMITS = { maxProducts: 5_000, maxVariants: 10_000, maxSpecsPerVariant: 50 };

/** SHA-256 of the plan section of 01_base.xlsx's snapshot (smart mode, empty catalog). */
const BASE_PLAN_SHA256 = "cfb72bc9086b2ddb162d6cb25ba2ba401c4ded4d6cda8270b132ac8608cb2a42";

/**
 * Each step's whole snapshot (job `job-<file>`, file hash all zeros): SHA-256 and size,
 * and the SHA-256 of its plan section. Computed with the generic encoder
 * (`canonicalJson`): 01_base.xlsx before either change to the snapshot's writing; the
 * others once the Data rows came to hold every row with its issues' marks (a change of
 * content, not of encoding, that left every plan section's digest as it was).
 */
const SNAPSHOT_BYTES: Record<string, { sha256: string; size: number; plan: string }> = {
  "01_base.xlsx": {
    sha256: "51b0297250fd66fd16eb542427f27e9eea454f27f100399b3895555520a0ad18",
    size: 24656,
    plan: "cfb72bc9086b2ddb162d6cb25ba2ba401c4ded4d6cda8270b132ac8608cb2a42",
  },
  "02_update.csv": {
    sha256: "a2ed309088567cc70df14621b60d16faa02a4366aa322daa58efee340284683f",
    size: 18481,
    plan: "5e7a2edf1af8f715915e58de2296b25eca3265b947e9c0f413e3a646afc54e87",
  },
  "03_turkish.csv": {
    sha256: "6b75ebef9c30e2dab9e9d6acc6baad3030c0c8c272c44bf10c69493cf59c3a23",
    size: 7665,
    plan: "020d7008285669c566b50acee2e1cd155c8e2c2cecb0aa58874e2c1ac7cf999b",
  },
  "04_libreoffice.xlsx": {
    sha256: "75f62d03f853079bce1a2614808109483734f59f0007fd0dbdcf37ae634bb832",
    size: 7969,
    plan: "46bf1250bd227edd866a1e0f6c9787bd21e9f0c5e3e70e056f78aa0c925000dd",
  },
  "05_errors.xlsx": {
    sha256: "94cf595ffba7cfe64b024baf345e27e702c5e2fb2c00ba1ded5c6b51770d695a",
    size: 7377,
    plan: "21742194673b8c92463e8e8344caf66f7e20e8dd51b57e26080776fc07bf8404",
  },
  "07_updates.csv": {
    sha256: "1f9db4a715d569c604d5eed771accff946ae25ffbee5439b6a9d72bcd544bd0b",
    size: 8457,
    plan: "c49a2bf4ee29d2510dc121d36d61ca67367c59c53aa459b072c16e5246313627",
  },
};

const sha256 = (bytes: string | Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Each step of the fixture story with its snapshot, planned against what the earlier steps left. */
async function storySnapshots(): Promise<[string, Snapshot][]> {
  const steps = readFixtureJson<{ file: string; mode: ImportMode }[]>("sequence.json");
  const snapshots: [string, Snapshot][] = [];
  let catalog: CatalogView = emptyCatalogView();
  for (const step of steps) {
    let file: ReturnType<typeof normalizeFile>;
    try {
      file = normalizeFile(await fixtureRows(step.file), LIMITS);
    } catch (error) {
      if (error instanceof FatalImportError) continue;
      throw error;
    }
    const result = planImport(file, loadView(catalog, catalogKeys(file)), step.mode);
    const snapshot = buildSnapshot({
      jobId: `job-${step.file}`,
      input: { filename: step.file, fileSha256: "0".repeat(64), mode: step.mode },
      result,
    });
    snapshots.push([step.file, snapshot]);
    catalog = applyPlanToCatalog(catalog, snapshot.plan);
  }
  return snapshots;
}

describe("snapshot bytes", () => {
  let snapshots: Map<string, Snapshot>;
  beforeAll(async () => {
    snapshots = new Map(await storySnapshots());
  });

  it("keeps the plan section of 01_base.xlsx's snapshot byte for byte", () => {
    const snapshot = snapshots.get("01_base.xlsx") as Snapshot;
    expect(snapshot.plan.variants.length).toBeGreaterThan(0);
    expect(sha256(canonicalJson(snapshot.plan))).toBe(BASE_PLAN_SHA256);
    // The same bytes sit inside the encoded snapshot, as its `plan` member.
    const encoded = encodeSnapshot(snapshot).bytes.toString("utf8");
    const planText = canonicalJson(snapshot.plan);
    expect(encoded).toContain(`,"plan":${planText},"products":`);
  });

  it("encodes every snapshot of the fixture story to the pinned bytes", () => {
    expect([...snapshots.keys()]).toEqual(Object.keys(SNAPSHOT_BYTES));
    for (const [file, snapshot] of snapshots) {
      const { bytes, sha256: digest } = encodeSnapshot(snapshot);
      expect({
        file,
        sha256: digest,
        size: bytes.length,
        plan: sha256(canonicalJson(snapshot.plan)),
      }).toEqual({ file, ...SNAPSHOT_BYTES[file] });
      expect(sha256(bytes)).toBe(digest);
      // Bytes written so (by this or an earlier version) read back to the same snapshot.
      expect(encodeSnapshot(decodeSnapshot(bytes)).bytes.equals(bytes)).toBe(true);
    }
  });
});
