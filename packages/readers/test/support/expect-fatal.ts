/** Asserts that a read fails as a whole with a given {@link FatalImportError} code. */
import { type FatalCode, FatalImportError } from "@catalog/core";

/** Awaits `read`, expects a FatalImportError with `code`, and returns it for more checks. */
export async function expectFatal(
  read: Promise<unknown>,
  code: FatalCode,
): Promise<FatalImportError> {
  const outcome = await read.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome)) throw new Error(`expected ${code}, but the read succeeded`);
  expect(outcome.error).toBeInstanceOf(FatalImportError);
  const error = outcome.error as FatalImportError;
  expect({ code: error.code, message: error.message }).toEqual({
    code,
    message: expect.any(String),
  });
  return error;
}
