/**
 * Reading and throwing away the rest of a request body the server has already
 * refused. Many HTTP clients write their whole body before they read anything;
 * if the server answers and closes while such a client is still writing, the
 * client gets a broken pipe (or a reset that drops the answer) instead of the
 * status. So a refusal is sent only once the body has ended, or once
 * `maxBytes` more were discarded: past that the client is answered anyway and
 * the connection closed, so a refused upload cannot keep the server reading
 * for ever (the server's request timeout bounds a slow one).
 */
import type { IncomingMessage } from "node:http";

/** How the discarding ended: the body ended, the bound was reached, or the connection went away. */
export type DiscardOutcome = "ended" | "limit" | "closed";

/** Resumes `request`, discarding its bytes, until it ends or `maxBytes` more went by. */
export function discardRequestBody(
  request: IncomingMessage,
  maxBytes: number,
): Promise<DiscardOutcome> {
  if (request.complete || request.readableEnded) return Promise.resolve("ended");
  if (request.destroyed) return Promise.resolve("closed");
  return new Promise((resolve) => {
    let discarded = 0;
    const done = (outcome: DiscardOutcome) => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("close", onClose);
      request.off("error", onClose);
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > maxBytes) {
        request.pause();
        done("limit");
      }
    };
    const onEnd = () => done("ended");
    const onClose = () => done(request.complete ? "ended" : "closed");
    request.on("data", onData);
    request.once("end", onEnd);
    request.once("close", onClose);
    request.once("error", onClose);
    request.resume();
  });
}
