/**
 * The benchmarks' generated catalog files: 20 columns (8 base columns and 12 `spec:`
 * columns), two variants per product, Turkish text where a supplier's file has it.
 * Row `i` is always the same, so two runs of a benchmark import the same data, and a
 * `priceShift` gives the same rows with other prices (an update of every variant).
 * Written as XLSX through exceljs's streaming writer or as UTF-8 CSV, never held whole.
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import ExcelJS from "exceljs";

const BASE_COLUMNS = [
  "category",
  "series",
  "brand",
  "title_tr",
  "title_en",
  "model_code",
  "dimensions",
  "price",
] as const;

const SPEC_NAMES = [
  "Renk",
  "Malzeme",
  "Ağırlık",
  "Garanti",
  "Menşei",
  "Enerji Sınıfı",
  "Güç",
  "Voltaj",
  "Kapasite",
  "Gürültü",
  "Kapı Sayısı",
  "Raf Sayısı",
] as const;

/** The header row: 8 base columns, then 12 spec columns. */
export const SHEET_HEADER: readonly string[] = [
  ...BASE_COLUMNS,
  ...SPEC_NAMES.map((name) => `spec:${name}`),
];

const COLORS = ["Beyaz", "Siyah", "Gümüş", "Antrasit", "Kırmızı", "Mavi", "Yeşil", "Bej"];
const MATERIALS = ["Çelik", "Alüminyum", "Meşe", "Ceviz", "Cam", "Plastik", "Paslanmaz çelik"];
const ORIGINS = ["Türkiye", "Almanya", "İtalya", "Çin", "Polonya"];

/** What varies between two files of the same rows. */
export interface SheetOptions {
  /** Added to every price, so the same rows plan updates against an earlier import. */
  priceShift?: number;
  /** A prefix for model codes and titles, so concurrent imports touch disjoint rows. */
  keyPrefix?: string;
}

/** Data row `index` (0-based): product `index / 2`, its variant A or B. */
export function sheetRow(index: number, options: SheetOptions = {}): string[] {
  const prefix = options.keyPrefix ?? "";
  const product = Math.floor(index / 2);
  const variant = index % 2 === 0 ? "A" : "B";
  const category = product % 20;
  const cents = (index * 37) % 100;
  const price = 100 + ((index * 7919) % 90_000) / 10 + (options.priceShift ?? 0);
  return [
    `Kategori ${category}`,
    // Series 0..199 each under one category (200 is a multiple of 20).
    `Seri ${product % 200}`,
    `Marka ${product % 50}`,
    `${prefix}Ürün ${product} çelik dolap, iki kapılı`,
    `${prefix}Product ${product} steel cabinet, two doors`,
    `${prefix}MC-${String(product).padStart(6, "0")}-${variant}`,
    `${60 + (index % 40)}x120x45`,
    `${Math.floor(price)}.${String(cents).padStart(2, "0")}`,
    COLORS[index % COLORS.length] as string,
    MATERIALS[product % MATERIALS.length] as string,
    `${10 + (index % 90)} kg`,
    `${1 + (product % 5)} yıl`,
    ORIGINS[product % ORIGINS.length] as string,
    ["A+++", "A++", "A+", "B"][index % 4] as string,
    `${100 + (index % 2000)} W`,
    "230 V",
    `${20 + (index % 500)} L`,
    `${30 + (index % 25)} dB`,
    String(1 + (index % 4)),
    String(2 + (product % 6)),
  ];
}

/** The header and `variants` data rows, one array of cells per line. */
export function* sheetLines(variants: number, options: SheetOptions = {}): Generator<string[]> {
  yield [...SHEET_HEADER];
  for (let index = 0; index < variants; index++) yield sheetRow(index, options);
}

/** Writes `variants` rows as an XLSX (sheet `Data`) with exceljs's streaming writer; returns its size. */
export async function writeSheetXlsx(
  file: string,
  variants: number,
  options: SheetOptions = {},
): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: file,
    useSharedStrings: false,
    useStyles: false,
  });
  const sheet = workbook.addWorksheet("Data");
  for (const line of sheetLines(variants, options)) sheet.addRow(line).commit();
  sheet.commit();
  await workbook.commit();
  return (await stat(file)).size;
}

/** Writes `variants` rows as a UTF-8 CSV (comma, quoted where needed); returns its size. */
export async function writeSheetCsv(
  file: string,
  variants: number,
  options: SheetOptions = {},
): Promise<number> {
  const out = createWriteStream(file);
  for (const line of sheetLines(variants, options)) {
    if (!out.write(`${line.map(csvCell).join(",")}\r\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return (await stat(file)).size;
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
