import { applyPlanToCatalog, emptyCatalogView, PlanDriftError } from "@catalog/core";
import { catalogJson, catalogOf } from "./support/catalog";
import { plan, sheet } from "./support/sheet";

const HEAD = ["category", "series", "brand", "title_en", "model_code", "price", "spec:Renk"];

describe("applyPlanToCatalog", () => {
  it("creates candidates, products and variants with new ids and version 1", () => {
    const result = plan(sheet(HEAD, ["Kat", "Seri", "Marka", "Ürün", "A", "5", "mavi"]));
    const catalog = applyPlanToCatalog(emptyCatalogView(), result.plan);
    expect(catalog.series.get("seri")).toEqual({
      id: 1,
      slug: "seri",
      name: "Seri",
      category_slug: "kat",
      version: 1,
    });
    expect(catalog.variants.get("A")).toMatchObject({
      id: 1,
      product_slug: "urun",
      price: "5.00",
      version: 1,
    });
    expect(catalogJson(catalog).products).toEqual({
      urun: { title_en: "Ürün", category: "kat", series: "seri", brand: "marka" },
    });
  });

  it("updates rows to the plan's values, bumps versions and leaves the input view alone", () => {
    const before = catalogOf({
      categories: [{ slug: "kat", name: "Kat" }],
      products: [{ slug: "urun", title_en: "Ürün", category_slug: "kat", id: 9, version: 2 }],
      variants: [
        {
          model_code: "A",
          product_slug: "urun",
          price: "1.00",
          specs: { Boy: "1" },
          id: 4,
          version: 5,
        },
      ],
    });
    const result = plan(sheet(HEAD, ["Kat", "", "", "Ürün", "A", "", "mavi"]), before, "strict");
    const after = applyPlanToCatalog(before, result.plan);
    expect(after.variants.get("A")).toEqual({
      id: 4,
      model_code: "A",
      product_slug: "urun",
      dimensions: null,
      price: "1.00",
      specs: { Boy: "1", Renk: "mavi" },
      version: 6,
    });
    expect(after.products.get("urun")?.version).toBe(2);
    expect(before.variants.get("A")?.version).toBe(5);
  });

  it("refuses a catalog that drifted since the plan was made, naming the rows", () => {
    const before = catalogOf({
      categories: [{ slug: "kat", name: "Kat" }],
      products: [{ slug: "urun", title_en: "Ürün", category_slug: "kat" }],
    });
    const result = plan(
      sheet(HEAD, ["Kat", "", "Marka", "Ürün", "A", "", ""], ["Kat", "", "", "Yeni", "B", "", ""]),
      before,
      "smart",
    );
    const drifted = catalogOf({
      categories: [{ slug: "kat", name: "Kat", version: 2 }],
      brands: [{ slug: "marka", name: "Marka" }],
      products: [{ slug: "urun", title_en: "Ürün", category_slug: "kat" }],
      variants: [{ model_code: "B", product_slug: "urun" }],
    });
    expect(() => applyPlanToCatalog(before, result.plan)).not.toThrow();
    let error: unknown;
    try {
      applyPlanToCatalog(drifted, result.plan);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PlanDriftError);
    expect((error as PlanDriftError).keys).toEqual(["category:kat", "brand:marka", "variant:B"]);
  });
});
