/**
 * A few shape checkers for decoding untrusted JSON (the snapshot) without a schema
 * library: each one checks a value at a path and returns it typed, rebuilt from
 * checked parts (records without a prototype), or throws {@link JsonShapeError}.
 */

/** A value that does not have the expected shape, with the path to it. */
export class JsonShapeError extends Error {
  override readonly name = "JsonShapeError";
  constructor(
    readonly path: string,
    expected: string,
  ) {
    super(`${path}: expected ${expected}`);
  }
}

/** Checks `value` found at `path` and returns it typed. */
export type Check<T> = (value: unknown, path: string) => T;

/** A string. */
export const string: Check<string> = (value, path) => {
  if (typeof value !== "string") throw new JsonShapeError(path, "a string");
  return value;
};

/** A safe integer. */
export const integer: Check<number> = (value, path) => {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new JsonShapeError(path, "an integer");
  }
  return value;
};

/** One of `values`. */
export function oneOf<const T extends string | number>(...values: T[]): Check<T> {
  return (value, path) => {
    if (!values.includes(value as T)) {
      throw new JsonShapeError(path, `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`);
    }
    return value as T;
  };
}

/** `check` or null. */
export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, path) => (value === null ? null : check(value, path));
}

/** An array whose every item passes `check`. */
export function arrayOf<T>(check: Check<T>): Check<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) throw new JsonShapeError(path, "an array");
    return value.map((item, index) => check(item, `${path}[${index}]`));
  };
}

function plainObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new JsonShapeError(path, "an object");
  }
  return value as Record<string, unknown>;
}

/** An object with user-text keys whose every value passes `check` (prototype-less result). */
export function recordOf<T>(check: Check<T>): Check<Record<string, T>> {
  return (value, path) => {
    const record: Record<string, T> = Object.create(null);
    for (const [key, item] of Object.entries(plainObject(value, path))) {
      record[key] = check(item, `${path}[${JSON.stringify(key)}]`);
    }
    return record;
  };
}

type Shape = Record<string, Check<unknown>>;
type FromShape<S extends Shape> = { [K in keyof S]: S[K] extends Check<infer T> ? T : never };

/** An object with exactly the keys of `shape`. */
export function objectOf<S extends Shape>(shape: S): Check<FromShape<S>> {
  return (value, path) => checkObject(shape, value, path, false) as FromShape<S>;
}

/** An object with some of the keys of `shape` and no other. */
export function partialObjectOf<S extends Shape>(shape: S): Check<Partial<FromShape<S>>> {
  return (value, path) => checkObject(shape, value, path, true) as Partial<FromShape<S>>;
}

function checkObject(shape: Shape, value: unknown, path: string, partial: boolean) {
  const object = plainObject(value, path);
  for (const key of Object.keys(object)) {
    if (!Object.hasOwn(shape, key)) throw new JsonShapeError(`${path}.${key}`, "no such key");
  }
  const result: Record<string, unknown> = {};
  for (const [key, check] of Object.entries(shape)) {
    if (Object.hasOwn(object, key)) result[key] = check(object[key], `${path}.${key}`);
    else if (!partial) throw new JsonShapeError(`${path}.${key}`, "a value");
  }
  return result;
}

/** The first of `checks` whose discriminant `key` matches. */
export function taggedUnion<T>(key: string, checks: Record<string, Check<T>>): Check<T> {
  return (value, path) => {
    const tag = plainObject(value, path)[key];
    const check = typeof tag === "string" && Object.hasOwn(checks, tag) ? checks[tag] : undefined;
    if (!check) {
      throw new JsonShapeError(`${path}.${key}`, `one of ${Object.keys(checks).join(", ")}`);
    }
    return check(value, path);
  };
}
