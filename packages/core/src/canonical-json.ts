/**
 * Canonical JSON: object keys sorted by code point, no whitespace, arrays in order.
 * The same value always gives the same bytes, which is what lets a snapshot's SHA-256
 * prove that commit applies exactly what validation planned.
 */
import { compareCodePoints } from "./code-point-order";

/** A character JSON.stringify escapes, or half of a surrogate pair (escaped when alone). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters JSON escapes.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `value` as a JSON string literal, exactly as `JSON.stringify` writes it. Most text
 * needs no escape, and quoting it directly is about twice as fast as calling
 * `JSON.stringify` for each string.
 */
export function quoteJsonString(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/** Thrown for a value canonical JSON cannot hold, with the path to it. */
export class CanonicalJsonError extends TypeError {
  override readonly name = "CanonicalJsonError";
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`canonicalJson: ${path} ${reason}`);
  }
}

/**
 * The canonical JSON text of `value`: null, booleans, finite numbers, strings, arrays
 * and plain objects (prototype Object.prototype or null) only.
 *
 * @throws CanonicalJsonError for undefined, NaN, infinities, functions, symbols,
 *   bigints, class instances (Date, Map, Buffer…), array holes and cycles.
 */
export function canonicalJson(value: unknown): string {
  return write(value, "$", new Set());
}

function write(value: unknown, path: string, ancestors: Set<object>): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return quoteJsonString(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `is ${value}`);
      return JSON.stringify(value);
    case "object":
      break;
    default:
      throw new CanonicalJsonError(path, `is ${typeof value}, which JSON cannot hold`);
  }
  if (ancestors.has(value)) throw new CanonicalJsonError(path, "is a cycle");
  ancestors.add(value);
  try {
    return Array.isArray(value)
      ? writeArray(value, path, ancestors)
      : writeObject(value, path, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function writeArray(array: readonly unknown[], path: string, ancestors: Set<object>): string {
  const parts: string[] = [];
  for (let index = 0; index < array.length; index++) {
    if (!(index in array)) throw new CanonicalJsonError(`${path}[${index}]`, "is a hole");
    parts.push(write(array[index], `${path}[${index}]`, ancestors));
  }
  return `[${parts.join(",")}]`;
}

function writeObject(object: object, path: string, ancestors: Set<object>): string {
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (prototype as { constructor?: { name?: string } }).constructor?.name ?? "unknown";
    throw new CanonicalJsonError(path, `is a ${name}, not a plain object`);
  }
  if (Object.getOwnPropertySymbols(object).length > 0) {
    throw new CanonicalJsonError(path, "has symbol keys");
  }
  const record = object as Record<string, unknown>;
  const parts = Object.keys(record)
    .sort(compareCodePoints)
    .map((key) => {
      const child = `${path}.${key}`;
      const item = record[key];
      if (item === undefined) throw new CanonicalJsonError(child, "is undefined");
      return `${quoteJsonString(key)}:${write(item, child, ancestors)}`;
    });
  return `{${parts.join(",")}}`;
}
