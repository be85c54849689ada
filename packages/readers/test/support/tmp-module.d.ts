/** The part of `tmp` (exceljs's temp-file dependency, untyped) that the tests spy on. */
declare module "tmp" {
  export function file(callback: (...args: unknown[]) => void): void;
}
