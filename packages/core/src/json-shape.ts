/**
 * Shapes of JSON documents (the snapshot), without a schema library. One shape both
 * reads and writes a document:
 *
 * - `accepts` checks a parsed value in place, as fast as a walk can be: no path
 *   strings, no copies (records only lose their prototype, so user keys such as
 *   `__proto__` are plain data);
 * - `check` walks again naming the path, and is only run to explain a value that
 *   `accepts` refused;
 * - `write` appends the value's canonical JSON (keys in code point order, no
 *   whitespace; the same bytes as `canonicalJson`) to a {@link JsonWriter}. Knowing the
 *   shape, it sorts the keys of fixed objects once, when the shape is built, and
 *   only user-keyed records at write time; a value of another shape throws
 *   {@link ShapeMismatch} (the caller runs `check` for the path).
 */
import { quoteJsonString } from "./canonical-json";
import { compareCodePoints } from "./code-point-order";

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

/** Thrown by `write` for a value of another shape; carries no path (see {@link JsonShape.check}). */
export class ShapeMismatch extends Error {
  override readonly name = "ShapeMismatch";
}

const mismatch = new ShapeMismatch("The value does not have the shape being written");

/**
 * Canonical JSON text, handed to `sink` in UTF-8 chunks of about `chunkChars`
 * characters (16 Ki by default: short-lived text is cheapest to collect): a large document never becomes one string (a string holding a single
 * non-Latin-1 character takes two bytes per character), and the chunks can be hashed
 * and stored as they come.
 */
export class JsonWriter {
  /** The text not yet handed to the sink; shapes append to it directly. */
  text = "";

  constructor(
    private readonly sink: (chunk: Buffer) => void,
    private readonly chunkChars = 16 * 1024,
  ) {}

  /** Hands the pending text over once there is a chunk's worth (called between items). */
  boundary(): void {
    if (this.text.length >= this.chunkChars) this.flush();
  }

  /** Hands over whatever text is pending. */
  flush(): void {
    if (this.text.length === 0) return;
    this.sink(Buffer.from(this.text, "utf8"));
    this.text = "";
  }
}

/** How one kind of JSON value is read and written. */
export interface JsonShape<T> {
  /** True when `value` has this shape; records in it are made prototype-less. */
  accepts(value: unknown): value is T;
  /** @throws JsonShapeError naming the first part of `value` (found at `path`) that is wrong. */
  check(value: unknown, path: string): void;
  /** Appends the canonical JSON of `value`. @throws ShapeMismatch when it has another shape. */
  write(value: T, out: JsonWriter): void;
}

/** The type a shape reads and writes. */
export type ShapeType<S> = S extends JsonShape<infer T> ? T : never;

/** A string. */
export const string: JsonShape<string> = {
  accepts: (value): value is string => typeof value === "string",
  check(value, path) {
    if (typeof value !== "string") throw new JsonShapeError(path, "a string");
  },
  write(value, out) {
    if (typeof value !== "string") throw mismatch;
    out.text += quoteJsonString(value);
  },
};

/** A safe integer. */
export const integer: JsonShape<number> = {
  accepts: (value): value is number => Number.isSafeInteger(value),
  check(value, path) {
    if (!Number.isSafeInteger(value)) throw new JsonShapeError(path, "an integer");
  },
  write(value, out) {
    if (!Number.isSafeInteger(value)) throw mismatch;
    // Object.is: -0 is written as 0, as JSON.stringify does.
    out.text += Object.is(value, -0) ? "0" : String(value);
  },
};

/** One of `values`. */
export function oneOf<const T extends string | number>(...values: T[]): JsonShape<T> {
  const texts = new Map<unknown, string>(values.map((value) => [value, JSON.stringify(value)]));
  return {
    accepts: (value): value is T => texts.has(value),
    check(value, path) {
      if (!texts.has(value)) {
        throw new JsonShapeError(path, `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`);
      }
    },
    write(value, out) {
      const text = texts.get(value);
      if (text === undefined) throw mismatch;
      out.text += text;
    },
  };
}

/** `shape` or null. */
export function nullable<T>(shape: JsonShape<T>): JsonShape<T | null> {
  return {
    accepts: (value): value is T | null => value === null || shape.accepts(value),
    check(value, path) {
      if (value !== null) shape.check(value, path);
    },
    write(value, out) {
      if (value === null) out.text += "null";
      else shape.write(value, out);
    },
  };
}

/** An array whose every item has `shape`. */
export function arrayOf<T>(shape: JsonShape<T>): JsonShape<T[]> {
  return {
    accepts(value): value is T[] {
      if (!Array.isArray(value)) return false;
      for (let index = 0; index < value.length; index++) {
        if (!shape.accepts(value[index])) return false;
      }
      return true;
    },
    check(value, path) {
      if (!Array.isArray(value)) throw new JsonShapeError(path, "an array");
      for (let index = 0; index < value.length; index++) {
        shape.check(value[index], `${path}[${index}]`);
      }
    },
    write(value, out) {
      if (!Array.isArray(value)) throw mismatch;
      out.text += "[";
      for (let index = 0; index < value.length; index++) {
        if (index > 0) out.text += ",";
        // A hole reads as undefined, which no shape writes.
        shape.write(value[index] as T, out);
        out.boundary();
      }
      out.text += "]";
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function ownKeyCount(object: object): number {
  let count = 0;
  for (const key in object) if (Object.hasOwn(object, key)) count++;
  return count;
}

const SURROGATE = /[\ud800-\udfff]/;

/**
 * Keys in code point order. The core builds records already in that order, so a
 * check in one pass usually suffices. Else the built-in sort, which compares UTF-16
 * code units: the same order unless a key holds a character above U+FFFF (a
 * surrogate pair).
 */
function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  for (let index = 1; index < keys.length; index++) {
    if (compareCodePoints(keys[index - 1] as string, keys[index] as string) >= 0) {
      keys.sort();
      return keys.some((key) => SURROGATE.test(key)) ? keys.sort(compareCodePoints) : keys;
    }
  }
  return keys;
}

/** An object with user-text keys whose every value has `shape` (read back without a prototype). */
export function recordOf<T>(shape: JsonShape<T>): JsonShape<Record<string, T>> {
  return {
    accepts(value): value is Record<string, T> {
      if (!isObject(value)) return false;
      for (const key of Object.keys(value)) if (!shape.accepts(value[key])) return false;
      // JSON.parse kept a `__proto__` key as an own property; now no key can reach a prototype.
      Object.setPrototypeOf(value, null);
      return true;
    },
    check(value, path) {
      if (!isObject(value)) throw new JsonShapeError(path, "an object");
      for (const key of Object.keys(value)) {
        shape.check(value[key], `${path}[${JSON.stringify(key)}]`);
      }
    },
    write(value, out) {
      if (!isObject(value)) throw mismatch;
      out.text += "{";
      let first = true;
      for (const key of sortedKeys(value)) {
        out.text += first ? `${quoteJsonString(key)}:` : `,${quoteJsonString(key)}:`;
        first = false;
        shape.write(value[key] as T, out);
        out.boundary();
      }
      out.text += "}";
    },
  };
}

type Shapes = Record<string, JsonShape<unknown>>;
type FromShapes<S extends Shapes> = { [K in keyof S]: ShapeType<S[K]> };
type WithOptional<S extends Shapes, O extends keyof S> = Omit<FromShapes<S>, O> &
  Partial<Pick<FromShapes<S>, O>>;

/** An object with the keys of `shapes` and no other; those `optional(key)` says may be absent. */
function fixedObject<T>(shapes: Shapes, optional: (key: string) => boolean): JsonShape<T> {
  const members = Object.keys(shapes)
    .sort(compareCodePoints)
    .map((key, index) => ({
      key,
      shape: shapes[key] as JsonShape<unknown>,
      text: quoteJsonString(key),
      optional: optional(key),
      // What precedes the value when every key is present.
      prefix: `${index === 0 ? "{" : ","}${quoteJsonString(key)}:`,
    }));
  const required = members.filter((member) => !member.optional).length;
  const allRequired = members.length > 0 && required === members.length;
  return {
    accepts(value): value is T {
      if (!isObject(value)) return false;
      let present = 0;
      for (const { key, shape, optional } of members) {
        if (Object.hasOwn(value, key)) {
          if (!shape.accepts(value[key])) return false;
          present++;
        } else if (!optional) return false;
      }
      return ownKeyCount(value) === present;
    },
    check(value, path) {
      if (!isObject(value)) throw new JsonShapeError(path, "an object");
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(shapes, key)) throw new JsonShapeError(`${path}.${key}`, "no such key");
      }
      for (const { key, shape, optional } of members) {
        if (Object.hasOwn(value, key)) shape.check(value[key], `${path}.${key}`);
        else if (!optional) throw new JsonShapeError(`${path}.${key}`, "a value");
      }
    },
    write(value, out) {
      if (!isObject(value)) throw mismatch;
      if (allRequired) {
        for (const { key, shape, prefix } of members) {
          const item = value[key];
          if (item === undefined) throw mismatch;
          out.text += prefix;
          shape.write(item, out);
        }
        if (ownKeyCount(value) !== members.length) throw mismatch;
        out.text += "}";
        return;
      }
      out.text += "{";
      let present = 0;
      for (const { key, shape, text, optional } of members) {
        const item = value[key];
        if (item === undefined) {
          if (optional && !Object.hasOwn(value, key)) continue;
          throw mismatch;
        }
        out.text += present === 0 ? `${text}:` : `,${text}:`;
        shape.write(item, out);
        present++;
      }
      // A key the shape does not know would be dropped: refuse rather than write other bytes.
      if (ownKeyCount(value) !== present) throw mismatch;
      out.text += "}";
    },
  };
}

/** An object with exactly the keys of `shapes`. */
export function objectOf<S extends Shapes>(shapes: S): JsonShape<FromShapes<S>>;
/** An object with the keys of `shapes` and no other, the `optional` ones possibly absent. */
export function objectOf<S extends Shapes, const O extends keyof S & string>(
  shapes: S,
  options: { optional: readonly O[] },
): JsonShape<WithOptional<S, O>>;
export function objectOf(shapes: Shapes, options?: { optional: readonly string[] }) {
  const optional = new Set(options?.optional ?? []);
  return fixedObject(shapes, (key) => optional.has(key));
}

/** An object with some of the keys of `shapes` and no other. */
export function partialObjectOf<S extends Shapes>(shapes: S): JsonShape<Partial<FromShapes<S>>> {
  return fixedObject(shapes, () => true);
}

/** One of `shapes`, chosen by the string at `key` (the discriminant). */
export function taggedUnion<T>(key: string, shapes: Record<string, JsonShape<T>>): JsonShape<T> {
  const pick = (value: unknown) => {
    const tag = isObject(value) ? value[key] : undefined;
    return typeof tag === "string" && Object.hasOwn(shapes, tag) ? shapes[tag] : undefined;
  };
  return {
    accepts: (value): value is T => pick(value)?.accepts(value) ?? false,
    check(value, path) {
      if (!isObject(value)) throw new JsonShapeError(path, "an object");
      const shape = pick(value);
      if (!shape) {
        throw new JsonShapeError(`${path}.${key}`, `one of ${Object.keys(shapes).join(", ")}`);
      }
      shape.check(value, path);
    },
    write(value, out) {
      const shape = pick(value);
      if (!shape) throw mismatch;
      shape.write(value, out);
    },
  };
}
