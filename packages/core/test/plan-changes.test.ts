/** The plan as a flat list of changes (the changes route's source). */
import { planChanges } from "@catalog/core";
import { catalogOf } from "./support/catalog";
import { plan, sheet } from "./support/sheet";

const HEAD = ["category", "series", "brand", "title_en", "model_code", "price", "spec:Güç"];

describe("planChanges", () => {
  it("lists candidates, then products, then variants, with fields as {before, after}; unchanged left out", () => {
    const catalog = catalogOf({
      categories: [{ slug: "c1", name: "C1" }],
      products: [{ slug: "kept", title_en: "Kept", category_slug: "c1" }],
      variants: [
        { model_code: "K1", product_slug: "kept", price: "5.00", specs: { Güç: "1" } },
        { model_code: "K2", product_slug: "kept", price: "9.00" },
      ],
    });
    const result = plan(
      sheet(
        HEAD,
        ["New Cat", "New Series", "Brand X", "Fresh", "F1", "10", ""],
        ["c1", "", "", "Kept", "K1", "6", "2"],
        ["c1", "", "", "Kept", "K2", "9", ""],
      ),
      catalog,
      "smart",
    );
    const changes = planChanges(result.plan);
    expect(changes.map((c) => [c.entity, c.key, c.action, c.candidate, c.rows])).toEqual([
      ["category", "new-cat", "create", true, [2]],
      ["series", "new-series", "create", true, [2]],
      ["brand", "brand-x", "create", true, [2]],
      ["product", "fresh", "create", false, [2]],
      ["variant", "F1", "create", false, [2]],
      ["variant", "K1", "update", false, [3]],
    ]);
    expect(changes[1]?.fields).toEqual({
      name: { before: null, after: "New Series" },
      category_slug: { before: null, after: "new-cat" },
    });
    expect(changes[4]?.fields).toEqual({
      product_slug: { before: null, after: "fresh" },
      dimensions: { before: null, after: null },
      price: { before: null, after: "10.00" },
      specs: { before: null, after: {} },
    });
    // An update lists only what changes: the price, and specs merged key by key.
    expect(changes[5]?.fields).toEqual({
      price: { before: "5.00", after: "6.00" },
      specs: { before: { Güç: "1" }, after: { Güç: "2" } },
    });
  });
});
