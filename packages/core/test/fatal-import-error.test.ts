import { FatalImportError } from "@catalog/core";

describe("FatalImportError", () => {
  it("carries its code and details", () => {
    const error = new FatalImportError("MISSING_COLUMN", "missing model_code", {
      missing: ["model_code"],
    });
    expect(error.code).toBe("MISSING_COLUMN");
    expect(error.details).toEqual({ missing: ["model_code"] });
    expect(error).toBeInstanceOf(Error);
  });
});
