/** Report models for the tests: a small full one and an empty one. */
import type { ReportModel } from "@catalog/report";

/** The Data sheet's header, as an upload would have it. */
export const HEADER = [
  "Kategori",
  "series",
  "brand",
  "title_tr",
  "model_code",
  "price",
  "spec:Güç (kW)",
];

/**
 * A model with a little of everything: two errors on line 3 (its price cell as the file
 * had it), a warning on line 4, one on the header; the Data sheet holds every row.
 */
export function sampleModel(): ReportModel {
  return {
    job: {
      id: "5f1d7c9e-0000-4000-8000-000000000001",
      status: "validated",
      mode: "smart",
      fileName: "katalog.xlsx",
      fileHash: "a".repeat(64),
      createdBy: "ops@example.com",
      createdAt: new Date("2024-05-01T10:00:00Z"),
      validatedAt: "2024-05-01T10:00:05.000Z",
      completedAt: null,
    },
    summary: {
      rows_total: 4,
      rows_valid: 3,
      rows_with_errors: 1,
      rows_with_warnings: 1,
      errors: 2,
      warnings: 2,
      candidates: { categories: 1, series: 1, brands: 1 },
      products: { create: 2, update: 1, unchanged: 0 },
      variants: { create: 2, update: 0, unchanged: 1 },
    },
    result: {
      candidates: { categories: 1, series: 1, brands: 1 },
      products: { create: 2, update: 1, unchanged: 0 },
      variants: { create: 2, update: 0, unchanged: 1 },
    },
    dbVerify: {
      enabled: true,
      created_entities_found_in_db: true,
      verification_details: { products: 2, variants: 2 },
      created_product_slugs: ["firin-1", "ocak-2"],
      created_variant_model_codes: ["GKO-6010", "GKO-6010-2"],
    },
    failure: null,
    issues: [
      {
        row: 1,
        column: "warranty_years",
        code: "UNKNOWN_COLUMN",
        severity: "warning",
        message: "Unknown column warranty_years is ignored",
        value: null,
      },
      {
        row: 3,
        column: "price",
        code: "INVALID_PRICE",
        severity: "error",
        message: "Price 1,23.45 is not a number",
        value: "1,23.45",
        dataCell: { row: 3, column: 5 },
      },
      {
        row: 3,
        column: "title_tr",
        code: "REQUIRED_VALUE_MISSING",
        severity: "error",
        message: "title_tr or title_en is required",
        value: null,
        dataCell: { row: 3, column: 3 },
      },
      {
        row: 4,
        column: "model_code",
        code: "MODEL_CODE_DISAMBIGUATED",
        severity: "warning",
        message: "GKO-6010 also on row 2: renamed GKO-6010-2",
        value: "GKO-6010",
        dataCell: { row: 4, column: 4 },
      },
    ],
    data: {
      header: HEADER,
      rows: [
        {
          row: 2,
          cells: [
            "Pişirme Ekipmanları",
            "600 Serisi",
            "Kuzina",
            "Fırın 1",
            "GKO-6010",
            "1234.50",
            "11.5",
          ],
        },
        {
          row: 3,
          cells: ["Soğutma", null, null, null, "DLP-1", "1,23.45", null],
          marks: [
            {
              column: 5,
              severity: "error",
              code: "INVALID_PRICE",
              message: "Price 1,23.45 is not a number",
            },
            {
              column: 3,
              severity: "error",
              code: "REQUIRED_VALUE_MISSING",
              message: "title_tr or title_en is required",
            },
          ],
        },
        {
          row: 4,
          cells: ["Pişirme Ekipmanları", null, null, "Ocak 2", "GKO-6010-2", "0.10", null],
          marks: [
            {
              column: 4,
              severity: "warning",
              code: "MODEL_CODE_DISAMBIGUATED",
              message: "GKO-6010 also on row 2: renamed GKO-6010-2",
            },
          ],
        },
        { row: 5, cells: ["Soğutma", null, "Kuzina", "Dolap", "00123", null, "6010"] },
      ],
    },
    candidates: {
      categories: [{ slug: "pisirme-ekipmanlari", name: "Pişirme Ekipmanları", rows: [2, 4] }],
      series: [
        { slug: "600-serisi", name: "600 Serisi", category_slug: "pisirme-ekipmanlari", rows: [2] },
      ],
      brands: [{ slug: "kuzina", name: "Kuzina", rows: [2, 5, 9] }],
    },
    codeDescriptions: {
      INVALID_PRICE: "The price is not a number in an accepted format.",
      REQUIRED_VALUE_MISSING: "A required cell is empty.",
      MODEL_CODE_DISAMBIGUATED: "A repeated model code was renamed.",
    },
    normalization: [
      { row: 2, column: "price", kind: "price", from: "₺1.234,50", to: "1234.50" },
      { row: 4, column: "model_code", kind: "disambiguate", from: "GKO-6010", to: "GKO-6010-2" },
      { row: 5, column: "series", kind: "empty_token", from: "n/a", to: null },
    ],
  };
}

/** A model with nothing to list: no issues, data rows, candidates or log entries. */
export function emptyModel(): ReportModel {
  const full = sampleModel();
  return {
    job: { ...full.job, status: "failed" },
    summary: {
      ...full.summary,
      rows_total: 0,
      rows_valid: 0,
      rows_with_errors: 0,
      rows_with_warnings: 0,
      errors: 0,
      warnings: 0,
    },
    failure: { code: "MISSING_COLUMN", message: "missing column: model_code" },
    issues: [],
    data: { header: HEADER, rows: [] },
    candidates: { categories: [], series: [], brands: [] },
    normalization: [],
  };
}
