import { type CatalogView, emptyCatalogView, planImport } from "@catalog/core";
import { catalogOf } from "./support/catalog";
import { issueKeys, normalize, plan, sheet } from "./support/sheet";

const HEAD = [
  "category",
  "series",
  "brand",
  "title_tr",
  "title_en",
  "model_code",
  "dimensions",
  "price",
  "spec:Güç",
  "spec:Renk",
];

/** A catalog with one product (series s1 in category c1, brand b1) and its variant V1. */
function storedCatalog(): CatalogView {
  return catalogOf({
    categories: [
      { slug: "c1", name: "Cat One" },
      { slug: "c2", name: "Cat Two" },
    ],
    series: [
      { slug: "s1", name: "Series One", category_slug: "c1" },
      { slug: "s2", name: "Series Two", category_slug: "c2" },
    ],
    brands: [{ slug: "b1", name: "Brand One" }],
    products: [
      {
        slug: "p1",
        title_tr: "Ürün",
        title_en: "P1",
        category_slug: "c1",
        series_slug: "s1",
        brand_slug: "b1",
        version: 4,
      },
      { slug: "p2", title_en: "P2", category_slug: "c1" },
    ],
    variants: [
      {
        model_code: "V1",
        product_slug: "p1",
        dimensions: "600x700",
        price: "100.00",
        specs: { Güç: "5", Ağırlık: "20" },
        version: 7,
      },
    ],
  });
}

describe("merge of rows into products", () => {
  it("takes the first non-null value of each field and warns on later different ones", () => {
    const result = plan(
      sheet(
        HEAD,
        ["Cat", "", "Brand", "", "Same", "A", "", "", "", ""],
        ["Cat", "Ser", "Brand", "Birinci", "Same", "B", "", "", "", ""],
        ["Other Cat", "Ser 2", "BRAND", "İkinci", "Same", "D", "", "", "", ""],
        ["Cat", "Ser", "Brand", "Birinci", "Same", "E", "", "", "", ""],
      ),
    );
    expect(result.products.same).toEqual({
      title_tr: "Birinci",
      title_en: "Same",
      category: "cat",
      series: "ser",
      brand: "brand",
    });
    // "BRAND" slugifies to the same brand: compared by slug, no conflict.
    expect(result.issues.map((i) => [i.row, i.column, i.code, i.value])).toEqual([
      [4, "category", "PRODUCT_FIELD_CONFLICT", "Other Cat"],
      [4, "series", "PRODUCT_FIELD_CONFLICT", "Ser 2"],
      [4, "title_tr", "PRODUCT_FIELD_CONFLICT", "İkinci"],
    ]);
    expect(result.issues[0]?.message).toContain("row 2");
    expect(result.summary).toMatchObject({ rows_valid: 4, rows_with_warnings: 1, warnings: 3 });
    expect(result.plan.products.map((p) => [p.slug, p.action, p.rows])).toEqual([
      ["same", "create", [2, 3, 4, 5]],
    ]);
  });

  it("ignores rows with errors, so they neither set values nor conflict", () => {
    const result = plan(
      sheet(
        HEAD,
        ["Cat", "", "Brand", "Kötü", "Same", "A", "", "bad", "", ""],
        ["Cat", "", "Brand", "İyi", "Same", "B", "", "", "", ""],
      ),
    );
    expect(result.products.same?.title_tr).toBe("İyi");
    expect(issueKeys(result)).toEqual(["2:price:INVALID_PRICE"]);
  });
});

describe("series and categories", () => {
  it("puts a new series under the category of the first valid row naming it", () => {
    const result = plan(
      sheet(
        HEAD,
        ["Kat A", "Yeni Seri", "", "", "P1", "A", "", "bad", "", ""],
        ["Kat B", "Yeni Seri", "", "", "P2", "B", "", "", "", ""],
        ["Kat A", "Yeni Seri", "", "", "P3", "D", "", "", "", ""],
      ),
    );
    expect(result.candidates.series).toEqual([
      { slug: "yeni-seri", name: "Yeni Seri", category_slug: "kat-b", rows: [3] },
    ]);
    expect(result.issues.map((i) => [i.row, i.column, i.code])).toEqual([
      [2, "price", "INVALID_PRICE"],
      [4, "series", "SERIES_CATEGORY_MISMATCH"],
    ]);
  });

  it("refuses a row that puts an existing series under another category", () => {
    const result = plan(
      sheet(HEAD, ["c2", "s1", "", "", "New", "A", "", "", "", ""]),
      storedCatalog(),
      "strict",
    );
    expect(result.issues.map((i) => [i.row, i.column, i.code, i.value])).toEqual([
      [2, "series", "SERIES_CATEGORY_MISMATCH", "s1"],
    ]);
  });

  it("refuses an update that would leave a product with a stored series of another category", () => {
    const catalog = storedCatalog();
    const moved = plan(
      sheet(HEAD, ["c2", "", "", "", "P1", "V1", "", "", "", ""]),
      catalog,
      "strict",
    );
    expect(issueKeys(moved)).toEqual(["2:series:SERIES_CATEGORY_MISMATCH"]);
    expect(moved.issues[0]?.message).toContain("stored series s1");
    // Naming a series of the new category with it is a valid move.
    const withSeries = plan(
      sheet(HEAD, ["c2", "s2", "", "", "P1", "V1", "", "", "", ""]),
      catalog,
      "strict",
    );
    expect(withSeries.issues).toEqual([]);
    expect(withSeries.plan.products[0]).toMatchObject({
      action: "update",
      changes: { category_slug: { old: "c1", new: "c2" }, series_slug: { old: "s1", new: "s2" } },
    });
  });

  it("refuses a later row whose series would join a product of another category", () => {
    const result = plan(
      sheet(
        HEAD,
        ["c1", "", "", "", "New", "A", "", "", "", ""],
        ["c2", "s2", "", "", "New", "B", "", "", "", ""],
      ),
      storedCatalog(),
      "strict",
    );
    expect(issueKeys(result)).toEqual(["3:series:SERIES_CATEGORY_MISMATCH"]);
    expect(result.products.new).toMatchObject({ category: "c1", series: null });
  });
});

describe("strict and smart modes", () => {
  const rows = sheet(
    ["category", "series", "brand", "title_en", "model_code"],
    ["Yeni Kat", "Yeni Seri", "Yeni Marka", "P", "A"],
    ["c1", "", "b1", "Q", "B"],
  );

  it("strict: unknown category, series and brand are errors, on their columns", () => {
    const result = plan(rows, storedCatalog(), "strict");
    expect(result.issues.map((i) => [i.row, i.column, i.code, i.value])).toEqual([
      [2, "brand", "MISSING_BRAND", "Yeni Marka"],
      [2, "category", "MISSING_CATEGORY", "Yeni Kat"],
      [2, "series", "MISSING_SERIES", "Yeni Seri"],
    ]);
    expect(result.summary.candidates).toEqual({ categories: 0, series: 0, brands: 0 });
    expect(result.plan.products.map((p) => p.slug)).toEqual(["q"]);
  });

  it("smart: they become candidates, created by the plan", () => {
    const result = plan(rows, storedCatalog(), "smart");
    expect(result.issues).toEqual([]);
    expect(result.candidates).toEqual({
      categories: [{ slug: "yeni-kat", name: "Yeni Kat", rows: [2] }],
      series: [{ slug: "yeni-seri", name: "Yeni Seri", category_slug: "yeni-kat", rows: [2] }],
      brands: [{ slug: "yeni-marka", name: "Yeni Marka", rows: [2] }],
    });
    expect(result.plan.candidates).toBe(result.candidates);
  });

  it("smart: deduplicates candidates by slug, named by the first valid row naming them", () => {
    const result = plan(
      sheet(
        ["category", "category_slug", "brand", "title_en", "model_code", "price"],
        ["Hazırlık", "", "", "P", "A", "bad"],
        ["", "hazirlik", "", "P", "B", ""],
        ["HAZIRLIK", "", "", "P", "D", ""],
        ["Hazirlik!", "", "", "P", "E", ""],
        ["", "only-slug", "", "Q", "F", ""],
      ),
    );
    expect(result.candidates.categories).toEqual([
      { slug: "hazirlik", name: "HAZIRLIK", rows: [3, 4, 5] },
      { slug: "only-slug", name: "only-slug", rows: [6] },
    ]);
  });
});

describe("the plan", () => {
  it("never erases: an empty cell keeps the stored value and specs merge key by key", () => {
    const result = plan(
      sheet(HEAD, ["c1", "", "", "", "P1", "V1", "", "", "7", "Kırmızı"]),
      storedCatalog(),
      "strict",
    );
    expect(result.plan.products).toEqual([
      {
        action: "unchanged",
        slug: "p1",
        rows: [2],
        id: 1,
        version: 4,
        values: {
          title_tr: "Ürün",
          title_en: "P1",
          category_slug: "c1",
          series_slug: "s1",
          brand_slug: "b1",
        },
      },
    ]);
    const [variant] = result.plan.variants;
    expect(variant).toMatchObject({
      action: "update",
      model_code: "V1",
      row: 2,
      id: 1,
      version: 7,
      before: {
        product_slug: "p1",
        dimensions: "600x700",
        price: "100.00",
        specs: { Güç: "5", Ağırlık: "20" },
      },
      values: {
        product_slug: "p1",
        dimensions: "600x700",
        price: "100.00",
        specs: { Ağırlık: "20", Güç: "7", Renk: "Kırmızı" },
      },
    });
    expect(Object.keys(variant?.action === "update" ? variant.changes : {})).toEqual(["specs"]);
    // The file's own values are reported as they were, not merged with the catalog.
    expect({ ...result.variants.V1 }).toEqual({
      product: "p1",
      dimensions: null,
      price: null,
      specs: { Güç: "7", Renk: "Kırmızı" },
    });
  });

  it("diffs field by field, with the before-image, id and version", () => {
    const result = plan(
      sheet(
        ["product_slug", ...HEAD],
        ["p1", "c1", "s1", "", "Yeni", "", "V1", "650x700", "1.250,5", "5", ""],
      ),
      storedCatalog(),
      "strict",
    );
    expect(result.plan.products[0]).toEqual({
      action: "update",
      slug: "p1",
      rows: [2],
      id: 1,
      version: 4,
      before: {
        title_tr: "Ürün",
        title_en: "P1",
        category_slug: "c1",
        series_slug: "s1",
        brand_slug: "b1",
      },
      values: {
        title_tr: "Yeni",
        title_en: "P1",
        category_slug: "c1",
        series_slug: "s1",
        brand_slug: "b1",
      },
      changes: { title_tr: { old: "Ürün", new: "Yeni" } },
    });
    expect(result.plan.variants[0]).toMatchObject({
      action: "update",
      id: 1,
      version: 7,
      changes: {
        dimensions: { old: "600x700", new: "650x700" },
        price: { old: "100.00", new: "1250.50" },
      },
    });
    expect(result.summary.variants).toEqual({ create: 0, update: 1, unchanged: 0 });
  });

  it("warns VARIANT_MOVED on the variant's row when an existing variant changes product", () => {
    const result = plan(
      sheet(HEAD, ["c1", "", "", "", "P2", "V1", "", "", "", ""]),
      storedCatalog(),
      "strict",
    );
    expect(result.issues.map((i) => [i.row, i.column, i.code, i.severity, i.value])).toEqual([
      [2, "model_code", "VARIANT_MOVED", "warning", "V1"],
    ]);
    expect(result.plan.variants[0]).toMatchObject({
      changes: { product_slug: { old: "p1", new: "p2" } },
    });
  });

  it("lists the existing rows it relies on with their versions", () => {
    const result = plan(
      sheet(
        ["category", "series", "brand", "title_en", "model_code"],
        ["c1", "", "", "P1", "V1"],
        ["c2", "Yeni", "", "Fresh", "N1"],
      ),
      storedCatalog(),
      "smart",
    );
    expect(result.plan.references).toEqual({
      categories: [
        { slug: "c1", id: 1, version: 1 },
        { slug: "c2", id: 2, version: 1 },
      ],
      series: [{ slug: "s1", id: 1, version: 1 }],
      brands: [{ slug: "b1", id: 1, version: 1 }],
      products: [{ slug: "p1", id: 1, version: 4 }],
    });
    expect(result.summary).toMatchObject({
      candidates: { categories: 0, series: 1, brands: 0 },
      products: { create: 1, update: 0, unchanged: 1 },
      variants: { create: 1, update: 0, unchanged: 1 },
    });
  });

  it("sorts issues by row, code, column and every list by code point", () => {
    const result = plan(
      sheet(
        ["category", "title_en", "model_code", "zzz", "Ünknown", "aaa"],
        ["Çay", "b", "😀", "", "", ""],
        ["Zebra", "a", "\uff5e", "", "", ""],
        ["Zebra", "Ab", "Z", "", "", ""],
      ),
    );
    expect(result.issues.map((i) => i.column)).toEqual(["aaa", "zzz", "Ünknown"]);
    expect(Object.keys(result.variants)).toEqual(["Z", "\uff5e", "😀"]);
    expect(result.plan.variants.map((v) => v.model_code)).toEqual(["Z", "\uff5e", "😀"]);
    expect(result.candidates.categories.map((c) => c.slug)).toEqual(["cay", "zebra"]);
    expect(result.plan.products.map((p) => p.slug)).toEqual(["a", "ab", "b"]);
  });

  it("keeps the file's products and variants keyed safely by user text", () => {
    const result = plan(
      sheet(["category", "title_en", "model_code", "spec:__proto__"], ["C", "T", "__proto__", "x"]),
    );
    expect(Object.keys(result.variants)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(result.variants)).toBeNull();
    const [[, variant] = []] = Object.entries(result.variants);
    expect(Object.keys(variant?.specs ?? {})).toEqual(["__proto__"]);
    expect(({} as { x?: string }).x).toBeUndefined();
  });

  it("gives the Data sheet every row under the columns it reads, errors as the file had them", () => {
    const result = plan(
      sheet(
        ["Kategori", "title_en", "sku", "Fiyat", "note", "spec:Güç"],
        ["C", " T ", "A", 12.5, " n ", "1"],
        ["C", "T", "A", " 1,23.45 ", "", " 2 "],
        ["C", "T", "A", "-", "", ""],
      ),
    );
    expect(result.issues.map((issue) => [issue.row, issue.code])).toEqual([
      [1, "UNKNOWN_COLUMN"],
      [3, "INVALID_PRICE"],
      [3, "MODEL_CODE_DISAMBIGUATED"],
      [4, "MODEL_CODE_DISAMBIGUATED"],
    ]);
    expect(result.dataRows).toEqual({
      // "note" is a column the importer ignores: left out.
      headers: ["Kategori", "title_en", "sku", "Fiyat", "spec:Güç"],
      rows: [
        { row: 2, cells: ["C", "T", "A", "12.50", "1"] },
        {
          row: 3,
          // The price as written (spaces kept); the other cells normalized.
          cells: ["C", "T", "A-2", " 1,23.45 ", "2"],
          marks: [
            { issue: 1, cell: 3 },
            { issue: 2, cell: 2 },
          ],
        },
        { row: 4, cells: ["C", "T", "A-3", null, null], marks: [{ issue: 3, cell: 2 }] },
      ],
    });
  });

  it("marks each issue on the cell it is about, slugs on the column they came from", () => {
    const limits = { maxSpecsPerVariant: 2 };
    const result = planImport(
      normalize(
        sheet(
          ["category", "category_slug", "title_en", "model_code", "spec:a", "spec:b", "spec:c"],
          ["C", "!!!", "T", "M1", "1", "2", "3"],
          ["C", null, "???", "M2", null, null, null],
          [null, null, null, 7, null, null, null],
        ),
        limits,
      ),
      emptyCatalogView(),
      "strict",
    );
    const marked = result.dataRows.rows.map((row) =>
      (row.marks ?? []).map(({ issue, cell }) => {
        const { code, column } = result.issues[issue] ?? {};
        return `${code}@${column}:${result.dataRows.headers[cell]}`;
      }),
    );
    expect(marked).toEqual([
      ["INVALID_SLUG@category:category_slug", "TOO_MANY_SPECS@specs:spec:c"],
      ["INVALID_SLUG@product_slug:title_en", "MISSING_CATEGORY@category:category"],
      ["REQUIRED_VALUE_MISSING@category:category", "REQUIRED_VALUE_MISSING@title_tr:title_en"],
    ]);
    // Cells in error hold the file's text; the numeric code stays its digits.
    expect(result.dataRows.rows.map((row) => row.cells)).toEqual([
      ["C", "!!!", "T", "M1", "1", "2", "3"],
      ["C", null, "???", "M2", null, null, null],
      [null, null, null, "7", null, null, null],
    ]);
  });
});
