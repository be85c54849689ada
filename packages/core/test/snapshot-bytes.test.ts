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

/** SHA-256 and size of each step's whole snapshot (job `job-<file>`, file hash all zeros). */
const SNAPSHOT_BYTES: Record<string, { sha256: string; size: number }> = {
  "01_base.xlsx": {
    sha256: "51b0297250fd66fd16eb542427f27e9eea454f27f100399b3895555520a0ad18",
    size: 24656,
  },
  "02_update.csv": {
    sha256: "e2275eeb535c22cc86d1830ad9ebae6c615f78de005e5ea8e66b19d3238c3d48",
    size: 17985,
  },
  "03_turkish.csv": {
    sha256: "6054a4b43513c01e63187401e1698a16f7dca0cb4b98a92043c077fd013c285e",
    size: 7435,
  },
  "04_libreoffice.xlsx": {
    sha256: "519ec38ca1529f3b525995102205aed643479a0743eed2b4bfe02d1b6c88ab86",
    size: 7907,
  },
  "05_errors.xlsx": {
    sha256: "35ab63356e6a6af48b0b6f0357a0e841ab64adc8a47d9390f71021e0728a2292",
    size: 4210,
  },
  "07_updates.csv": {
    sha256: "295c10627704e957c71f03d8a746903992019eb6998ce1f607526f60e560ddba",
    size: 7927,
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
      expect({ file, sha256: digest, size: bytes.length }).toEqual({
        file,
        ...SNAPSHOT_BYTES[file],
      });
      expect(sha256(bytes)).toBe(digest);
      // Bytes written so (by this or an earlier version) read back to the same snapshot.
      expect(encodeSnapshot(decodeSnapshot(bytes)).bytes.equals(bytes)).toBe(true);
    }
  });
});
