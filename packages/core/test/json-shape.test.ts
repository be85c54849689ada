import { canonicalJson, quoteJsonString } from "@catalog/core";
import {
  arrayOf,
  integer,
  type JsonShape,
  JsonShapeError,
  JsonWriter,
  nullable,
  objectOf,
  oneOf,
  partialObjectOf,
  recordOf,
  ShapeMismatch,
  type ShapeType,
  string,
  taggedUnion,
} from "../src/json-shape";

/** The text `shape` writes for `value`, in one piece. */
function written<T>(shape: JsonShape<T>, value: T): string {
  const chunks: Buffer[] = [];
  const out = new JsonWriter((chunk) => chunks.push(chunk));
  shape.write(value, out);
  out.flush();
  return Buffer.concat(chunks).toString("utf8");
}

/** Strings that JSON escapes, that sort differently by code unit and code point, or that look like indexes. */
const AWKWARD = [
  "",
  "a",
  "B",
  "10",
  "9",
  "0",
  "__proto__",
  "constructor",
  'q"uote',
  "back\\slash",
  "tab\there",
  "line\nbreak",
  "\u0000nul",
  "\u001f",
  "\u007f",
  "\u2028\u2029",
  "ş ğ ı İ",
  "\uff5e",
  "\ue000",
  "😀",
  "a😀",
  "a\uffff",
  "\ud800 lone high",
  "lone low \udc00",
];

/** A deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const entry = taggedUnion<unknown>("kind", {
  plain: objectOf({
    kind: oneOf("plain"),
    name: string,
    note: nullable(string),
    count: integer,
    tags: arrayOf(string),
    attributes: recordOf(string),
  }) as JsonShape<unknown>,
  changed: objectOf({
    kind: oneOf("changed"),
    name: string,
    changes: partialObjectOf({
      zeta: integer,
      alpha: nullable(string),
      "😀": string,
      "\uff5e": string,
    }),
  }) as JsonShape<unknown>,
});
const document = objectOf({ version: oneOf(1, 2), entries: recordOf(entry), list: arrayOf(entry) });
type Document = ShapeType<typeof document>;

function randomDocument(next: () => number): Document {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  const text = () =>
    Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(AWKWARD)).join("");
  const record = () => {
    const result: Record<string, string> = Object.create(null);
    for (let index = Math.floor(next() * 6); index > 0; index--) result[text()] = text();
    return result;
  };
  const oneEntry = (): unknown => {
    if (next() < 0.5) {
      return {
        kind: "plain",
        name: text(),
        note: next() < 0.3 ? null : text(),
        count: Math.floor((next() - 0.5) * 2 ** 40),
        tags: Array.from({ length: Math.floor(next() * 4) }, text),
        attributes: record(),
      };
    }
    const changes: Record<string, unknown> = {};
    for (const key of ["zeta", "alpha", "😀", "\uff5e"]) {
      if (next() < 0.5) continue;
      changes[key] =
        key === "zeta" ? Math.floor(next() * 100) : key === "alpha" && next() < 0.5 ? null : text();
    }
    return { kind: "changed", name: text(), changes };
  };
  const entries: Record<string, unknown> = Object.create(null);
  for (let index = Math.floor(next() * 8); index > 0; index--) entries[text()] = oneEntry();
  return {
    version: pick([1, 2] as const),
    entries,
    list: Array.from({ length: Math.floor(next() * 5) }, oneEntry),
  } as Document;
}

describe("quoteJsonString", () => {
  it.each(AWKWARD)("quotes %j as JSON.stringify does", (value) => {
    expect(quoteJsonString(value)).toBe(JSON.stringify(value));
  });
});

describe("json shapes", () => {
  it("write exactly canonicalJson's bytes, and read them back unchanged", () => {
    const next = random(12);
    for (let round = 0; round < 500; round++) {
      const value = randomDocument(next);
      const text = written(document, value);
      expect(text).toBe(canonicalJson(value));
      const parsed = JSON.parse(text);
      expect(document.accepts(parsed)).toBe(true);
      expect(written(document, parsed)).toBe(text);
    }
  });

  it("sort record keys by code point, index-like keys included", () => {
    const record = Object.assign(Object.create(null), {
      "9": "a",
      "10": "b",
      "😀": "c",
      "\uff5e": "d",
      B: "e",
    });
    expect(written(recordOf(string), record)).toBe('{"10":"b","9":"a","B":"e","～":"d","😀":"c"}');
  });

  it("read records without a prototype, a __proto__ key kept as data", () => {
    const parsed = JSON.parse('{"r":{"__proto__":"x","constructor":"y"}}');
    const shape = objectOf({ r: recordOf(string) });
    expect(shape.accepts(parsed)).toBe(true);
    expect(Object.getPrototypeOf(parsed.r)).toBeNull();
    expect(Object.keys(parsed.r)).toEqual(["__proto__", "constructor"]);
    expect(Object.getOwnPropertyDescriptor(parsed.r, "__proto__")?.value).toBe("x");
  });

  it.each([
    ["a missing key", { a: "x" }, "$.b: expected a value"],
    ["an extra key", { a: "x", b: 1, c: 2 }, "$.c: expected no such key"],
    ["a wrong type", { a: 1, b: 1 }, "$.a: expected a string"],
    ["a fraction", { a: "x", b: 1.5 }, "$.b: expected an integer"],
    ["undefined", { a: "x", b: undefined }, "$.b: expected an integer"],
  ])("refuse %s: accepts is false, check names the path, write throws", (_name, value, message) => {
    const shape = objectOf({ a: string, b: integer });
    expect(shape.accepts(value)).toBe(false);
    expect(() => shape.check(value, "$")).toThrow(JsonShapeError);
    expect(() => shape.check(value, "$")).toThrow(message);
    expect(() => written(shape, value as never)).toThrow(ShapeMismatch);
  });

  it("refuse a hole in an array, an unknown tag and a value outside oneOf", () => {
    const holes = Object.assign(new Array(3), { 0: "a", 2: "c" });
    expect(() => written(arrayOf(string), holes)).toThrow(ShapeMismatch);
    expect(() => arrayOf(string).check(holes, "$")).toThrow("$[1]: expected a string");
    expect(entry.accepts({ kind: "other" })).toBe(false);
    expect(() => entry.check({ kind: "other" }, "$")).toThrow(
      "$.kind: expected one of plain, changed",
    );
    expect(() => written(oneOf("x"), "y" as "x")).toThrow(ShapeMismatch);
  });

  it("hand text over in chunks of whole characters", () => {
    const chunks: Buffer[] = [];
    const out = new JsonWriter((chunk) => chunks.push(chunk), 1000);
    const items = Array.from({ length: 2000 }, (_, index) => `ş😀 ${index}`);
    arrayOf(string).write(items, out);
    out.flush();
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks)
      expect(() => new TextDecoder("utf-8", { fatal: true }).decode(chunk)).not.toThrow();
    expect(Buffer.concat(chunks).toString("utf8")).toBe(JSON.stringify(items));
  });
});
