import { slugify } from "@catalog/core";

describe("slugify", () => {
  it("transliterates every Turkish letter, in both cases", () => {
    expect(slugify("çÇğĞıIİiöÖşŞüÜ")).toBe("ccggiiiioossuu");
    expect(slugify("Pişirme Ekipmanları")).toBe("pisirme-ekipmanlari");
    expect(slugify("İSTANBUL Işık")).toBe("istanbul-isik");
  });

  it("strips other diacritics and maps letters without a decomposition", () => {
    expect(slugify("Crème Brûlée à la Façon")).toBe("creme-brulee-a-la-facon");
    expect(slugify("Ærøskøbing Łódź Straße")).toBe("aeroskobing-lodz-strasse");
    expect(slugify("Ñandú Š")).toBe("nandu-s");
  });

  it("turns runs of anything else into one hyphen and trims hyphens", () => {
    expect(slugify("  Gas Range -- 4 Burner (Model 0)!  ")).toBe("gas-range-4-burner-model-0");
    expect(slugify("--a__b..c--")).toBe("a-b-c");
    expect(slugify("Gas Range 4 Burner Model 0")).toBe("gas-range-4-burner-model-0");
  });

  it("returns an empty slug when nothing maps to a letter or digit", () => {
    expect(slugify("???")).toBe("");
    expect(slugify("日本語")).toBe("");
    expect(slugify("")).toBe("");
  });

  it("is idempotent", () => {
    const once = slugify("Özel Ürün Slug");
    expect(once).toBe("ozel-urun-slug");
    expect(slugify(once)).toBe(once);
  });
});
