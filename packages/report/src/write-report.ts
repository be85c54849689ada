/**
 * Writes the XLSX report of an import job (SPEC §9) with exceljs's streaming writer:
 * sheets Summary, Issues, Data, Candidates, Normalization, in that order, each row
 * committed as soon as it is added, so memory stays flat whatever the size of the job.
 */
import { once } from "node:events";
import type { Writable } from "node:stream";
import { failpoint } from "@catalog/failpoints";
import ExcelJS from "exceljs";
import { writeCandidatesSheet } from "./candidates-sheet";
import { writeDataSheet } from "./data-sheet";
import { tallyIssues } from "./issue-tally";
import { writeIssuesSheet } from "./issues-sheet";
import { writeNormalizationSheet } from "./normalization-sheet";
import type { ReportModel } from "./report-model";
import { openReportTarget } from "./report-target";
import type { WriteContext } from "./sheet-writer";
import { writeSummarySheet } from "./summary-sheet";

/** What {@link writeReport} wrote. */
export interface ReportWriteResult {
  /** Data rows (every input row) in the Data sheet. */
  rows: number;
  /** Data rows with at least one cell marked with an issue. */
  markedRows: number;
  /** Rows of the Issues sheet. */
  issues: number;
  /** Rows of the Candidates sheet. */
  candidates: number;
  /** Rows of the Normalization sheet. */
  normalization: number;
}

/**
 * Writes `model` as an XLSX report to `output`, a file path (created or truncated) or
 * a Writable (e.g. an upload's body), and resolves once the output has finished.
 *
 * Every value that came from user data is a text cell holding exactly the text given,
 * never a formula (see cell-text.ts for how exceljs is kept from writing one).
 *
 * On failure (an error thrown by the model's iterables, the output failing or closing
 * early) it rejects with that error, destroys the output stream with it (so an upload
 * fed by it aborts rather than storing a truncated zip) and removes a file it was
 * writing by path.
 */
export async function writeReport(
  model: ReportModel,
  output: Writable | string,
): Promise<ReportWriteResult> {
  const target = openReportTarget(output);
  const stop = new AbortController();
  try {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: target.stream,
      useStyles: true,
      // Text goes inline (t="str"); only rows that need it switch to the shared-strings
      // table (see sheet-writer.ts), which would otherwise hold every distinct string of
      // the report until the end (tens of MB and a third more time in the bench).
      useSharedStrings: false,
    });
    const writing = writeSheets(workbook, model, pacer(target.stream, stop.signal));
    writing.catch(() => {});
    const result = await Promise.race([writing, target.failed, archiveFailure(workbook)]);
    await target.complete();
    return result;
  } catch (error) {
    stop.abort(error);
    await target.discard(error);
    throw error;
  }
}

async function writeSheets(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  model: ReportModel,
  pace: WriteContext["pace"],
): Promise<ReportWriteResult> {
  const context: WriteContext = { workbook, pace };
  const issues = reiterable(model.issues);
  // The Summary shows a few names of each; the Candidates sheet then lists them all.
  const candidates = {
    categories: reiterable(model.candidates.categories),
    series: reiterable(model.candidates.series),
    brands: reiterable(model.candidates.brands),
  };
  await writeSummarySheet(context, {
    ...model,
    tally: tallyIssues(issues),
    candidateNames: candidates,
    codeDescriptions: model.codeDescriptions ?? {},
  });
  const issueCount = await writeIssuesSheet(context, issues);
  const data = await writeDataSheet(context, model.data);
  await failpoint("report.data-sheet-written");
  const candidateCount = await writeCandidatesSheet(context, candidates);
  const normalization = await writeNormalizationSheet(context, model.normalization);
  await workbook.commit();
  return {
    rows: data.rows,
    markedRows: data.markedRows,
    issues: issueCount,
    candidates: candidateCount,
    normalization,
  };
}

/**
 * Holds the rows back while the zip or the output is behind, and gives other work on
 * the event loop a turn. Rejects as soon as `signal` is aborted (the output has failed),
 * which ends the loop.
 *
 * exceljs's streams ignore backpressure: each row's XML is pushed at once into the
 * sheet's zip entry (a PassThrough that the archiver drains into deflate, on libuv's
 * thread pool), so a tight loop would produce XML faster than it is compressed and the
 * backlog would grow with the sheet. Waiting on that entry's drain bounds it to a
 * buffer or two; the archiver's pipe to the output is back-pressured by Node, so a slow
 * output (an upload) holds the rows back through the same wait.
 */
function pacer(output: Writable, signal: AbortSignal): WriteContext["pace"] {
  return async (zipEntry) => {
    signal.throwIfAborted();
    if (zipEntry?._writableState.needDrain) await once(zipEntry, "drain", { signal });
    else await new Promise((resolve) => setImmediate(resolve));
    if (output.writableNeedDrain) await once(output, "drain", { signal });
    signal.throwIfAborted();
  };
}

/**
 * Rejects when exceljs's archiver (its `zip`, not in its typings) emits an error;
 * exceljs listens for it only in its last step, and an unheard 'error' would crash.
 */
function archiveFailure(workbook: ExcelJS.stream.xlsx.WorkbookWriter): Promise<never> {
  const { zip } = workbook as unknown as { zip: NodeJS.EventEmitter };
  return new Promise<never>((_, reject) => zip.once("error", reject));
}

/**
 * `items` as a collection that can be walked twice (the Summary, then a sheet of its
 * own): a one-shot iterator (a generator returns itself from `Symbol.iterator`) is
 * copied into an array.
 */
function reiterable<T>(items: Iterable<T>): Iterable<T> {
  const oneShot = (items[Symbol.iterator]() as unknown) === items;
  return oneShot ? Array.from(items) : items;
}
