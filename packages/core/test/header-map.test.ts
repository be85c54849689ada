import { FatalImportError, foldHeader, mapHeader } from "@catalog/core";
import { issueKeys, normalize, sheet } from "./support/sheet";

const fieldOf = (header: string) => {
  const [column] = mapHeader([header], 1).columns;
  return column?.role.kind === "field" ? column.role.field : column?.role.kind;
};

describe("header mapping", () => {
  it("maps every alias of SPEC §3", () => {
    const aliases: Record<string, string[]> = {
      category: ["category", "category_name", "kategori"],
      category_slug: ["category_slug"],
      series: ["series", "series_name", "seri"],
      series_slug: ["series_slug"],
      brand: ["brand", "brand_name", "marka"],
      brand_slug: ["brand_slug"],
      product_slug: ["product_slug", "slug"],
      title_tr: ["title_tr"],
      title_en: ["title_en"],
      model_code: ["model_code", "model", "model_kodu", "sku"],
      dimensions: ["dimensions", "boyutlar", "olculer"],
      price: ["price", "fiyat"],
    };
    for (const [field, headers] of Object.entries(aliases)) {
      for (const header of headers) expect([header, fieldOf(header)]).toEqual([header, field]);
    }
  });

  it("matches case-insensitively after trimming, Turkish folding and space/hyphen runs", () => {
    expect(foldHeader("  Model Kodu ")).toBe("model_kodu");
    expect(fieldOf("  MODEL   KODU ")).toBe("model_code");
    expect(fieldOf("Model-Kodu")).toBe("model_code");
    expect(fieldOf("Ölçüler")).toBe("dimensions");
    expect(fieldOf("KATEGORİ")).toBe("category");
    expect(fieldOf("Category - Name")).toBe("category");
    expect(fieldOf("Title TR")).toBe("title_tr");
    expect(fieldOf("Fİyat")).toBe("price");
  });

  it("reads spec:<Name> and spec_<Name> columns, the name trimmed and as written", () => {
    const { columns } = mapHeader(["spec:Güç (kW)", "SPEC_ Renk ", "spec:renk", "spec:"], 1);
    expect(columns.map((c) => c.role)).toEqual([
      { kind: "spec", name: "Güç (kW)" },
      { kind: "spec", name: "Renk" },
      { kind: "spec", name: "renk" },
      { kind: "ignored" },
    ]);
  });

  it("warns once on the header row about unknown and duplicate columns, column as written", () => {
    const header = mapHeader(
      [
        "category",
        "Kategori",
        "price",
        "Fiyat",
        "spec:Renk",
        "spec_Renk",
        "warranty",
        "warranty",
        "",
        null,
      ],
      3,
    );
    expect(issueKeys(header)).toEqual([
      "3:Kategori:DUPLICATE_COLUMN",
      "3:Fiyat:DUPLICATE_COLUMN",
      "3:spec_Renk:DUPLICATE_COLUMN",
      "3:warranty:UNKNOWN_COLUMN",
    ]);
    expect(header.issues.every((issue) => issue.severity === "warning")).toBe(true);
    expect(header.columns.map((c) => c.role.kind)).toEqual([
      "field",
      "ignored",
      "field",
      "ignored",
      "spec",
      "ignored",
      "ignored",
      "ignored",
      "ignored",
      "ignored",
    ]);
  });

  it("ignores the value of a duplicate column (the first mapped column wins)", () => {
    const file = normalize(
      sheet(["category", "title_en", "model_code", "price", "Fiyat"], ["C", "T", "M", "", "5"]),
    );
    expect(file.rows[0]?.values.price).toBeNull();
  });

  it("treats __proto__ and constructor headers as unknown columns and keeps spec names safe", () => {
    const file = normalize(
      sheet(
        [
          "category",
          "title_en",
          "model_code",
          "__proto__",
          "constructor",
          "spec:__proto__",
          "spec:constructor",
        ],
        ["C", "T", "M", "x", "y", "polluted", "also"],
      ),
    );
    expect(issueKeys({ issues: file.headerIssues })).toEqual([
      "1:__proto__:UNKNOWN_COLUMN",
      "1:constructor:UNKNOWN_COLUMN",
    ]);
    const row = file.rows[0];
    expect(row?.specs.get("__proto__")).toBe("polluted");
    expect(row?.specs.get("constructor")).toBe("also");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});

describe("required columns", () => {
  const missing = (header: string[]) => {
    try {
      normalize(
        sheet(
          header,
          header.map(() => "x"),
        ),
      );
    } catch (error) {
      expect(error).toBeInstanceOf(FatalImportError);
      expect((error as FatalImportError).code).toBe("MISSING_COLUMN");
      return (error as FatalImportError).details;
    }
    return undefined;
  };

  it("fails the file with the canonical names of the missing columns", () => {
    expect(missing(["category", "title_en", "price"])).toEqual({ missing: ["model_code"] });
    expect(missing(["price"])).toEqual({ missing: ["category", "title_tr", "model_code"] });
    expect(missing(["title_en", "sku"])).toEqual({ missing: ["category"] });
  });

  it("accepts category_slug for category and either title", () => {
    expect(missing(["category_slug", "title_tr", "model"])).toBeUndefined();
    expect(missing(["kategori", "title_en", "sku"])).toBeUndefined();
  });

  it("fails a file with no header at all", () => {
    expect(() => normalize([{ row: 1, cells: ["", null, " - "] }])).toThrow(FatalImportError);
  });
});
