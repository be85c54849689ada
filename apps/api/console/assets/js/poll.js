/**
 * Loading data that may change under the page: `usePoll` loads, then loads
 * again after the delay its `interval` function picks from the answer, for as
 * long as the component shows. Live updates without a socket: jobs that move
 * are polled every second, backing off while nothing changes; a page in a
 * hidden tab or after an error backs off further.
 */
import { useEffect, useRef, useState } from "preact/hooks";

/** Longest delay between two polls. */
const MAX_DELAY_MS = 30_000;

/**
 * Polling with backoff for "something is moving": 1 s, then ×1.5 for every poll
 * that changed nothing, up to `maxMs`.
 */
export function movingDelay(unchangedPolls, maxMs = 10_000) {
  return Math.min(maxMs, 1_000 * 1.5 ** unchangedPolls);
}

/**
 * Loads `load(signal)` whenever `key` changes, then again after
 * `interval(data, unchangedPolls)` ms (null: no more polling). Returns
 * `{data, error, stale, refresh}`; `refresh()` loads at once and restarts the
 * backoff (after an action the operator took). While a new key loads, the
 * previous data stays shown, so paging does not flash, and `stale` is true.
 */
export function usePoll(load, key, interval = () => null) {
  const [state, setState] = useState({ data: undefined, error: undefined, key: undefined });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  const intervalRef = useRef(interval);
  loadRef.current = load;
  intervalRef.current = interval;

  // Reloads on a new key or a refresh only; load and interval are read through refs.
  useEffect(() => {
    const controller = new AbortController();
    let timer;
    let failures = 0;
    let unchanged = 0;
    let previous;
    const schedule = (ms) => {
      if (ms === null || ms === undefined) return;
      timer = setTimeout(run, document.hidden ? Math.max(ms, MAX_DELAY_MS) : ms);
    };
    async function run() {
      try {
        const data = await loadRef.current(controller.signal);
        if (controller.signal.aborted) return;
        const text = JSON.stringify(data);
        unchanged = text === previous ? unchanged + 1 : 0;
        previous = text;
        failures = 0;
        setState({ data, error: undefined, key });
        schedule(intervalRef.current(data, unchanged));
      } catch (error) {
        if (controller.signal.aborted || error?.name === "AbortError") return;
        failures += 1;
        setState((current) => ({ ...current, error }));
        // A refusal (bad request, not found, forbidden) will not change by asking again.
        if (error?.status >= 400 && error?.status < 500) return;
        schedule(Math.min(MAX_DELAY_MS, 1_000 * 2 ** failures));
      }
    }
    run();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [key, generation]);

  return {
    data: state.data,
    error: state.error,
    stale: state.key !== key,
    refresh: () => setGeneration((value) => value + 1),
  };
}
