import { utf8BoundaryBefore } from "../src/stored-zip-stream";
import { chooseSheet, locateWorkbookParts } from "../src/workbook-parts";

const RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

describe("locateWorkbookParts", () => {
  it("lists worksheets in tab order with resolved part paths", () => {
    const workbook = `<?xml version="1.0"?><x:workbook xmlns:x="main" xmlns:rel="${RELS_NS}"><x:sheets>
      <!-- <x:sheet name="Commented" rel:id="rId1"/> -->
      <x:sheet name="Fiyat &amp; Stok" sheetId="3" rel:id="rId3"/>
      <x:sheet name="Chart" sheetId="1" rel:id="rId1"/>
      <x:sheet name='Data' sheetId="2" rel:id="rId2"/>
    </x:sheets><x:sheetViews/></x:workbook>`;
    const rels = `<Relationships>
      <Relationship Id="rId1" Type="${RELS_NS}/chartsheet" Target="chartsheets/sheet1.xml"/>
      <Relationship Id="rId2" Type="${RELS_NS}/worksheet" Target="/xl/worksheets/sheet2.xml"/>
      <Relationship Id="rId3" Type="${RELS_NS}/worksheet" Target="./worksheets/../worksheets/sheet3.xml"/>
      <Relationship Id="rId4" Type="${RELS_NS}/sharedStrings" Target="sharedStrings.xml"/>
      <Relationship Id="rId5" Type="${RELS_NS}/styles" Target="styles.xml"/>
      <Relationship Id="rId6" Type="${RELS_NS}/hyperlink" Target="https://example.com" TargetMode="External"/>
    </Relationships>`;
    expect(locateWorkbookParts(workbook, rels)).toEqual({
      sheets: [
        { name: "Fiyat & Stok", path: "xl/worksheets/sheet3.xml" },
        { name: "Data", path: "xl/worksheets/sheet2.xml" },
      ],
      sharedStringsPath: "xl/sharedStrings.xml",
      stylesPath: "xl/styles.xml",
    });
  });

  it("decodes character references in sheet names and ignores unknown relationship ids", () => {
    const workbook = `<workbook><sheets><sheet name="&#304;&#x15F;" r:id="rId1"/><sheet name="x" r:id="rId9"/></sheets></workbook>`;
    const rels = `<Relationships><Relationship Id="rId1" Type="a/worksheet" Target="worksheets/s.xml"/></Relationships>`;
    expect(locateWorkbookParts(workbook, rels).sheets).toEqual([
      { name: "İş", path: "xl/worksheets/s.xml" },
    ]);
  });
});

describe("chooseSheet", () => {
  const sheet = (name: string) => ({ name, path: `xl/worksheets/${name}.xml` });
  it("prefers Data, then data in any case, then the first sheet", () => {
    expect(chooseSheet([sheet("A"), sheet("DATA"), sheet("Data")])?.name).toBe("Data");
    expect(chooseSheet([sheet("A"), sheet("DATA")])?.name).toBe("DATA");
    expect(chooseSheet([sheet("A"), sheet("Database")])?.name).toBe("A");
    expect(chooseSheet([])).toBeUndefined();
  });
});

describe("utf8BoundaryBefore", () => {
  const bytes = (text: string) => Buffer.from(text, "utf8");
  it("cuts before a character split at the end, and nowhere else", () => {
    expect(utf8BoundaryBefore(bytes("abc"))).toBe(3);
    expect(utf8BoundaryBefore(bytes("aş"))).toBe(3);
    expect(utf8BoundaryBefore(bytes("aş").subarray(0, 2))).toBe(1);
    expect(utf8BoundaryBefore(bytes("a€").subarray(0, 3))).toBe(1);
    expect(utf8BoundaryBefore(bytes("a😀").subarray(0, 4))).toBe(1);
    expect(utf8BoundaryBefore(bytes("a😀"))).toBe(5);
    expect(utf8BoundaryBefore(Buffer.from([0x80, 0x80]))).toBe(2);
  });
});
