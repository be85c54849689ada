import { CanonicalJsonError, canonicalJson } from "@catalog/core";

describe("canonicalJson", () => {
  it("sorts keys by code point at every depth, without whitespace, arrays in order", () => {
    expect(
      canonicalJson({ b: 1, a: [3, 1, { d: true, c: null }], "😀": "x", "\uff5e": "y", B: "z" }),
    ).toBe('{"B":"z","a":[3,1,{"c":null,"d":true}],"b":1,"～":"y","😀":"x"}');
  });

  it("is the same for the same value whatever the key insertion order", () => {
    const one = { z: { y: 1, x: 2 }, a: "ş" };
    const two = { a: "ş", z: { x: 2, y: 1 } };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
    expect(JSON.parse(canonicalJson(one))).toEqual(one);
  });

  it("accepts prototype-less objects and keeps a __proto__ key as data", () => {
    const record = Object.assign(
      Object.create(null),
      JSON.parse('{"__proto__":"x","constructor":"y"}'),
    );
    expect(Object.getPrototypeOf(record)).toBeNull();
    expect(canonicalJson(record)).toBe('{"__proto__":"x","constructor":"y"}');
    expect(Object.keys(JSON.parse(canonicalJson(record)))).toEqual(["__proto__", "constructor"]);
  });

  it.each([
    ["undefined", { a: undefined }, "$.a is undefined"],
    ["NaN", { a: [1, Number.NaN] }, "$.a[1] is NaN"],
    ["Infinity", Number.POSITIVE_INFINITY, "$ is Infinity"],
    ["a Date", { when: new Date(0) }, "$.when is a Date"],
    ["a Map", new Map(), "$ is a Map"],
    ["a Buffer", { b: Buffer.from("x") }, "$.b is a Buffer"],
    ["a function", { f: () => 1 }, "$.f is function"],
    ["a bigint", 1n, "$ is bigint"],
    ["a hole", Object.assign(new Array(3), { 0: 1, 2: 3 }), "$[1] is a hole"],
  ])("rejects %s with the path", (_name, value, message) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it("rejects cycles but accepts shared (non-cyclic) references", () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow("$.self is a cycle");
  });

  it("escapes strings as JSON does, lone surrogates included", () => {
    expect(canonicalJson(['a"b\n', "\ud800"])).toBe('["a\\"b\\n","\\ud800"]');
  });
});
