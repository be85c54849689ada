/**
 * Model code disambiguation (SPEC §3): the 2nd, 3rd… occurrence of a code in a file
 * becomes `CODE-k`, for the smallest k ≥ 2 that the file does not contain and that was
 * not assigned already (`A, A, A-2, A` → `A, A-3, A-2, A-4`). Depends on the file
 * alone, so importing the same file twice gives the same codes.
 */

/**
 * The code each row ends up with, in the same order; `null` stays `null` (a row
 * without a model code). Codes compare exactly (callers pass them trimmed).
 */
export function disambiguateModelCodes(codes: readonly (string | null)[]): (string | null)[] {
  const inFile = new Set(codes.filter((code): code is string => code !== null));
  const seen = new Set<string>();
  const assigned = new Set<string>();
  return codes.map((code) => {
    if (code === null) return null;
    if (!seen.has(code)) {
      seen.add(code);
      return code;
    }
    let k = 2;
    while (inFile.has(`${code}-${k}`) || assigned.has(`${code}-${k}`)) k++;
    const renamed = `${code}-${k}`;
    assigned.add(renamed);
    return renamed;
  });
}
