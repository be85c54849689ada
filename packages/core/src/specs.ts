/**
 * Specs are keyed by names users write (`spec:<Name>`), so a name may be `__proto__`
 * or `constructor`. Inside the core they live in Maps; they leave it as objects
 * without a prototype, keys in code point order, and are read back by own keys only.
 */
import { compareCodePoints } from "./code-point-order";

/** Spec name → value, as a record that is safe for any key (no prototype). */
export type SpecRecord = Record<string, string>;

/**
 * A new empty object without a prototype, that V8 keeps in fast mode: rows with the
 * same spec names share one hidden class and a compact property array. (An object
 * from `Object.create(null)` is a hash table from the start: about 700 bytes more
 * for 12 specs, and several times slower to fill and to walk. A snapshot at 100k
 * rows holds 100k of these.) With no prototype, `__proto__` is an own key like any other.
 */
function emptyRecord<T>(): Record<string, T> {
  return Object.setPrototypeOf({}, null);
}

/** A prototype-less record of `specs`, keys in code point order. */
export function specsToRecord(specs: ReadonlyMap<string, string>): SpecRecord {
  const record: SpecRecord = emptyRecord();
  for (const name of inCodePointOrder([...specs.keys()])) {
    record[name] = specs.get(name) as string;
  }
  return record;
}

/**
 * `names` sorted by code point, in place. A row's specs come in the header's column
 * order, which is usually already sorted: one pass checks that before sorting.
 */
function inCodePointOrder(names: string[]): string[] {
  for (let index = 1; index < names.length; index++) {
    if (compareCodePoints(names[index - 1] as string, names[index] as string) > 0) {
      return names.sort(compareCodePoints);
    }
  }
  return names;
}

/** The own string entries of a stored specs object as a Map (untrusted keys, untrusted values dropped). */
export function recordToSpecs(
  record: Readonly<Record<string, unknown>> | null | undefined,
): Map<string, string> {
  const specs = new Map<string, string>();
  if (!record) return specs;
  for (const [name, value] of Object.entries(record)) {
    if (typeof value === "string") specs.set(name, value);
  }
  return specs;
}

/** `stored` with `incoming` merged in key by key (an import never removes a spec). */
export function mergeSpecs(
  stored: ReadonlyMap<string, string>,
  incoming: ReadonlyMap<string, string>,
): Map<string, string> {
  const merged = new Map(stored);
  for (const [name, value] of incoming) merged.set(name, value);
  return merged;
}

/** True when both hold the same names with the same values. */
export function sameSpecs(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, value] of a) if (b.get(name) !== value) return false;
  return true;
}

/** A prototype-less record whose keys are user text (model codes, slugs), keys in code point order. */
export function toSafeRecord<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const record: Record<string, T> = Object.create(null);
  const sorted = [...entries];
  // Often already in order (model codes as the file lists them): one pass checks that before sorting.
  for (let index = 1; index < sorted.length; index++) {
    if (
      compareCodePoints((sorted[index - 1] as [string, T])[0], (sorted[index] as [string, T])[0]) >
      0
    ) {
      sorted.sort(([a], [b]) => compareCodePoints(a, b));
      break;
    }
  }
  for (const [key, value] of sorted) record[key] = value;
  return record;
}
