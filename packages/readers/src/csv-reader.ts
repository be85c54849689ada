/**
 * Reads a CSV's records (SPEC §3) with csv-parse, streaming from the file: encoding
 * decided by one pass (text-encoding.ts), delimiter from the first records
 * (csv-delimiter.ts), then every record is a row numbered by its 1-based record
 * number, blank records counted. Cells are the strings as parsed, `""` included.
 *
 * Quoted fields may hold delimiters, quotes (`""`) and line breaks. A stray quote inside
 * an unquoted field (`12" tray`) is kept as text (`relax_quotes`), because hand-written
 * files have them; a quote that is never closed fails the file.
 */
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { FatalImportError } from "@catalog/core";
import { CsvError, parse } from "csv-parse";
import iconv from "iconv-lite";
import { detectDelimiter } from "./csv-delimiter";
import type { RowCollector } from "./row-collector";
import { raceAbort } from "./settle-first";
import { inspectTextFile } from "./text-encoding";

/** Reads every record of the CSV at `filePath` into `collector`. */
export async function readCsvRows(
  filePath: string,
  collector: RowCollector,
  signal?: AbortSignal,
): Promise<void> {
  const text = await raceAbort(inspectTextFile(filePath, signal), signal);
  const delimiter = detectDelimiter(iconv.decode(text.head, text.encoding, { stripBOM: false }));
  const parser = parse({
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
  });
  // The collector's own error (a limit, an abort) is kept aside: once the consumer
  // throws, pipeline() tears the streams down and may report that teardown instead.
  let stoppedBy: unknown;
  const collect = async (records: AsyncIterable<string[]>): Promise<void> => {
    let record = 0;
    for await (const cells of records) {
      try {
        collector.add(++record, cells);
      } catch (error) {
        stoppedBy = error;
        throw error;
      }
    }
  };
  try {
    await raceAbort(
      pipeline(
        createReadStream(filePath, { start: text.bomLength }),
        iconv.decodeStream(text.encoding, { stripBOM: false }),
        parser,
        collect,
        { signal },
      ),
      signal,
    );
  } catch (error) {
    if (stoppedBy !== undefined) throw stoppedBy;
    if (error instanceof CsvError) {
      throw new FatalImportError("UNSUPPORTED_FILE", `cannot parse the CSV: ${error.message}`, {
        reason: error.code,
      });
    }
    throw error;
  }
}
