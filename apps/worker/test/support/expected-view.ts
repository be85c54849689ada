/**
 * Puts a validated job (its report JSON and snapshot) into the shape of the
 * shared fixtures' *.expected.json, so tests compare the two exactly.
 */

interface Issue {
  row: number;
  column: string;
  code: string;
  severity: string;
}

interface Candidate {
  slug: string;
  name: string;
  category_slug?: string;
}

interface ReportJson {
  summary: unknown;
  issues: Issue[];
  candidates: { categories: Candidate[]; series: Candidate[]; brands: Candidate[] };
}

interface SnapshotLike {
  products: unknown;
  variants: unknown;
}

/** The comparable part of an expected file (drops `file` and `mode`). */
export function expectedView(expected: Record<string, unknown>) {
  const { file: _file, mode: _mode, ...rest } = expected;
  return rest;
}

const pickCandidate = ({ slug, name, category_slug }: Candidate) =>
  category_slug === undefined ? { slug, name } : { slug, name, category_slug };

/** A validated job as an expected file holds it. */
export function toExpectedShape(reportJson: unknown, snapshot: SnapshotLike) {
  const report = reportJson as ReportJson;
  return {
    summary: report.summary,
    issues: report.issues.map(({ row, column, code, severity }) => ({
      row,
      column,
      code,
      severity,
    })),
    candidates: {
      categories: report.candidates.categories.map(pickCandidate),
      series: report.candidates.series.map(pickCandidate),
      brands: report.candidates.brands.map(pickCandidate),
    },
    products: snapshot.products,
    variants: snapshot.variants,
  };
}
