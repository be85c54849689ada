import { catalogKeys, disambiguateModelCodes, FatalImportError } from "@catalog/core";
import { issueKeys, normalize, plan, sheet } from "./support/sheet";

const fatalOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FatalImportError);
    return { code: (error as FatalImportError).code, details: (error as FatalImportError).details };
  }
  return undefined;
};

describe("required values", () => {
  it("reports an empty category, both titles empty, and an empty model code", () => {
    const result = plan(
      sheet(
        ["category", "category_slug", "title_tr", "title_en", "model_code"],
        ["", "", "T", "", "A"],
        ["C", "", "", "", "B"],
        ["C", "", "", "T", ""],
        ["", "c", "T", "", "D"],
        ["C", "", "T", "", "E"],
      ),
    );
    expect(issueKeys(result)).toEqual([
      "2:category:REQUIRED_VALUE_MISSING",
      "3:title_tr:REQUIRED_VALUE_MISSING",
      "4:model_code:REQUIRED_VALUE_MISSING",
    ]);
    expect(result.issues[0]).toMatchObject({ severity: "error", value: null });
    expect(result.summary.rows_valid).toBe(2);
  });

  it("reports every error of a row, not just the first", () => {
    const result = plan(
      sheet(
        ["category", "title_tr", "model_code", "price", "spec:a", "spec:b"],
        ["", "", "", "abc", "1", "2"],
      ),
      undefined,
      "strict",
    );
    expect(issueKeys(result)).toEqual([
      "2:price:INVALID_PRICE",
      "2:category:REQUIRED_VALUE_MISSING",
      "2:model_code:REQUIRED_VALUE_MISSING",
      "2:title_tr:REQUIRED_VALUE_MISSING",
    ]);
    expect(result.summary).toMatchObject({ rows_with_errors: 1, errors: 4 });
  });
});

describe("slugs", () => {
  const HEAD = [
    "category",
    "category_slug",
    "series",
    "series_slug",
    "brand",
    "brand_slug",
    "product_slug",
    "title_tr",
    "title_en",
    "model_code",
  ];

  it("derives the product slug from title_en, else title_tr, and slugifies given slugs", () => {
    const file = normalize(
      sheet(
        HEAD,
        ["Kat", "", "Seri", "", "Marka", "", "", "Türkçe", "English Title", "A"],
        [
          "Kat",
          "Given Cat",
          "Seri",
          "Given Series",
          "M",
          "Given Brand",
          "Özel Ürün Slug",
          "Türkçe Başlık",
          "",
          "B",
        ],
      ),
    );
    const [first, second] = file.rows;
    expect(first).toMatchObject({
      categorySlug: "kat",
      seriesSlug: "seri",
      brandSlug: "marka",
      productSlug: "english-title",
    });
    expect(second).toMatchObject({
      categorySlug: "given-cat",
      seriesSlug: "given-series",
      brandSlug: "given-brand",
      productSlug: "ozel-urun-slug",
    });
    expect(file.normalizationLog).toContainEqual({
      row: 3,
      column: "product_slug",
      kind: "slugify",
      from: "Özel Ürün Slug",
      to: "ozel-urun-slug",
    });
    expect(file.rows[0]?.cells[6]).toBeNull();
    expect(second?.cells[6]).toBe("ozel-urun-slug");
  });

  it("reports INVALID_SLUG on the slug's source column, with no fallback", () => {
    const result = plan(
      sheet(
        HEAD,
        ["???", "", "", "", "", "", "", "", "Ok", "A"],
        ["C", "", "", "!!!", "", "", "", "", "Ok", "B"],
        ["C", "", "", "", "", "", "", "", "Ok", "D"],
        ["C", "", "", "", "", "***", "", "", "Ok", "E"],
        ["C", "", "", "", "", "", "", "Başlık", "???", "F"],
        ["C", "", "", "", "", "", "%%", "Başlık", "Ok", "G"],
      ),
    );
    expect(result.issues.map((i) => [i.row, i.column, i.code, i.value])).toEqual([
      [2, "category", "INVALID_SLUG", "???"],
      [3, "series", "INVALID_SLUG", "!!!"],
      [5, "brand", "INVALID_SLUG", "***"],
      [6, "product_slug", "INVALID_SLUG", "???"],
      [7, "product_slug", "INVALID_SLUG", "%%"],
    ]);
  });

  it("reports over-long slugs as VALUE_TOO_LONG on the source column, in code points", () => {
    const result = plan(
      sheet(
        ["category", "brand", "product_slug", "title_en", "model_code"],
        ["c".repeat(100), "b".repeat(100), "p".repeat(255), "T", "A"],
        ["c".repeat(101), "b".repeat(101), "p".repeat(256), "T", "B"],
      ),
    );
    expect(issueKeys(result)).toEqual([
      "3:brand:VALUE_TOO_LONG",
      "3:category:VALUE_TOO_LONG",
      "3:product_slug:VALUE_TOO_LONG",
    ]);
  });
});

describe("lengths in code points", () => {
  it("counts an astral character once: a 100-emoji model code is fine, 101 is too long", () => {
    const result = plan(
      sheet(
        ["category", "title_en", "model_code"],
        ["C", "T", "😀".repeat(100)],
        ["C", "T", "😀".repeat(101)],
      ),
    );
    expect(issueKeys(result)).toEqual(["3:model_code:VALUE_TOO_LONG"]);
  });

  it("warns on titles over 200 and dimensions over 50 characters, keeping them", () => {
    const result = plan(
      sheet(
        ["category", "title_tr", "title_en", "model_code", "dimensions"],
        ["C", "ş".repeat(200), "é".repeat(200), "A", "ü".repeat(50)],
        ["C", "ş".repeat(201), "é".repeat(201), "B", "ü".repeat(51)],
      ),
    );
    expect(result.issues.map((i) => [i.row, i.column, i.code, i.severity])).toEqual([
      [3, "dimensions", "DIMENSIONS_TOO_LONG", "warning"],
      [3, "title_en", "TITLE_TOO_LONG", "warning"],
      [3, "title_tr", "TITLE_TOO_LONG", "warning"],
    ]);
    expect(result.summary).toMatchObject({ rows_valid: 2, rows_with_warnings: 1, warnings: 3 });
    expect(result.variants.B?.dimensions).toBe("ü".repeat(51));
  });
});

describe("specs", () => {
  const header = (count: number) => [
    "category",
    "title_en",
    "model_code",
    ...Array.from({ length: count }, (_, i) => `spec:S${i}`),
  ];
  const row = (code: string, count: number, filled: number) => [
    "C",
    "T",
    code,
    ...Array.from({ length: count }, (_, i) => (i < filled ? String(i) : "")),
  ];

  it("allows exactly the limit and refuses one more, on column specs", () => {
    const result = plan(sheet(header(51), row("A", 51, 50), row("B", 51, 51), row("D", 51, 0)));
    expect(issueKeys(result)).toEqual(["3:specs:TOO_MANY_SPECS"]);
    expect(Object.keys(result.variants.A?.specs ?? {})).toHaveLength(50);
    expect(result.variants.D?.specs).toEqual({});
  });

  it("follows the configured limit and counts only non-empty specs", () => {
    const file = normalize(sheet(header(3), row("A", 3, 3), row("B", 3, 2)), {
      maxSpecsPerVariant: 2,
    });
    expect(file.rows.map((r) => r.issues.map((i) => i.code))).toEqual([["TOO_MANY_SPECS"], []]);
  });
});

describe("model code disambiguation", () => {
  it("renames A, A, A-2, A to A, A-3, A-2, A-4", () => {
    expect(disambiguateModelCodes(["A", "A", "A-2", "A"])).toEqual(["A", "A-3", "A-2", "A-4"]);
    expect(disambiguateModelCodes(["GKO-6010", null, "GKO-6010"])).toEqual([
      "GKO-6010",
      null,
      "GKO-6010-2",
    ]);
  });

  it("compares codes exactly after trimming and counts rows with errors too", () => {
    const result = plan(
      sheet(
        ["category", "title_en", "model_code", "price"],
        ["C", "T", " A ", "bad"],
        ["C", "T", "A", ""],
        ["C", "T", "a", ""],
      ),
    );
    expect(Object.keys(result.variants)).toEqual(["A-2", "a"]);
    expect(result.issues.map((i) => [i.row, i.code, i.value])).toEqual([
      [2, "INVALID_PRICE", "bad"],
      [3, "MODEL_CODE_DISAMBIGUATED", "A"],
    ]);
    expect(result.normalizationLog).toContainEqual({
      row: 3,
      column: "model_code",
      kind: "model_code_disambiguated",
      from: "A",
      to: "A-2",
    });
    // The Data sheet: the row in error keeps its own code, the later one is renamed.
    expect(result.dataRows.rows.map((row) => row.cells[2])).toEqual(["A", "A-2", "a"]);
  });

  it("checks the length after disambiguation", () => {
    const code = "X".repeat(99);
    const result = plan(
      sheet(["category", "title_en", "model_code"], ["C", "T", code], ["C", "T", code]),
    );
    expect(issueKeys(result)).toEqual([
      "3:model_code:MODEL_CODE_DISAMBIGUATED",
      "3:model_code:VALUE_TOO_LONG",
    ]);
  });
});

describe("limits", () => {
  const rows = (count: number, product: (i: number) => string) =>
    sheet(
      ["category", "title_en", "model_code"],
      ...Array.from({ length: count }, (_, i) => ["C", product(i), `M${i}`]),
    );

  it("fails the file with ROW_LIMIT_EXCEEDED past maxVariants data rows (blank rows not counted)", () => {
    expect(
      fatalOf(() =>
        normalize(
          rows(3, () => "P"),
          { maxVariants: 3 },
        ),
      ),
    ).toBeUndefined();
    const withBlank = [...rows(3, () => "P"), { row: 5, cells: ["", "-", null] }];
    expect(fatalOf(() => normalize(withBlank, { maxVariants: 3 }))).toBeUndefined();
    expect(
      fatalOf(() =>
        normalize(
          rows(4, () => "P"),
          { maxVariants: 3 },
        ),
      ),
    ).toEqual({
      code: "ROW_LIMIT_EXCEEDED",
      details: { rows: 4, limit: 3 },
    });
  });

  it("fails the file with ROW_LIMIT_EXCEEDED past maxProducts distinct products", () => {
    expect(
      fatalOf(() =>
        normalize(
          rows(4, (i) => `P${i % 2}`),
          { maxProducts: 2 },
        ),
      ),
    ).toBeUndefined();
    expect(
      fatalOf(() =>
        normalize(
          rows(3, (i) => `P${i}`),
          { maxProducts: 2 },
        ),
      ),
    ).toEqual({
      code: "ROW_LIMIT_EXCEEDED",
      details: { products: 3, limit: 2 },
    });
  });
});

describe("catalogKeys", () => {
  it("lists the slugs and model codes the file refers to, sorted and distinct", () => {
    const file = normalize(
      sheet(
        ["category", "series_slug", "brand", "title_en", "model_code"],
        ["Kat B", "s-1", "Marka", "Ürün", "M2"],
        ["Kat A", "", "Marka", "Ürün", "M1"],
        ["Kat A", "s-0", "", "Other", "M1"],
      ),
    );
    expect(catalogKeys(file)).toEqual({
      categories: ["kat-a", "kat-b"],
      series: ["s-0", "s-1"],
      brands: ["marka"],
      products: ["other", "urun"],
      variants: ["M1", "M1-2", "M2"],
    });
  });
});
