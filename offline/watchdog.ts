/**
 * Notices a program that can no longer make progress. The mock runtime does no I/O of its own:
 * everything it does runs as promise callbacks. When those have all run (a `setImmediate`
 * callback runs only then) and nothing new keeps the event loop alive (no timer, request or
 * handle beyond those that existed before the run), a program that has not finished never
 * will: it awaits a promise nobody resolves (e.g. an Output of a resource whose registration
 * failed). Without this a CLI process simply ends, with exit code 0 and no output.
 */

/** How long a quiet run gets to show progress before it is called stalled. */
const STALL_GRACE_MS = 250;

export interface Watchdog {
  /** Resolves when the run is stalled (never rejects). */
  readonly stalled: Promise<void>;
  stop(): void;
}

function counts(types: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const t of types) map.set(t, (map.get(t) ?? 0) + 1);
  return map;
}

/** True when nothing beyond the baseline keeps the event loop alive. */
export function nothingPending(baseline: ReadonlyMap<string, number>, now: readonly string[]): boolean {
  for (const [type, n] of counts(now)) if (n > (baseline.get(type) ?? 0)) return false;
  return true;
}

/**
 * Watches a run. `hasFailures` shortens the wait: after a failure a stalled run is abandoned
 * at the first quiet turn; without one it must be quiet for several turns in a row.
 */
export function watchForStall(hasFailures: () => boolean, quietTurns = 3, baselineCounts?: ReadonlyMap<string, number>): Watchdog {
  const active = (): string[] => (typeof process.getActiveResourcesInfo === "function" ? process.getActiveResourcesInfo() : ["unknown"]);
  const baseline = baselineCounts ?? counts(active());
  let stopped = false;
  let timer: NodeJS.Immediate | undefined;
  let resolveStalled: () => void = () => undefined;
  const stalled = new Promise<void>((resolve) => (resolveStalled = resolve));
  let quiet = 0;
  // Quiet once is not yet stalled: the baseline counts by type, so work that ends outside the run
  // (a test runner's timer, another run's file read) can hide the program's own timer or read of
  // the same type. After a grace period with the loop free to run them, quiet again means stalled.
  let graced = false;
  const turn = () => {
    if (stopped) return;
    quiet = nothingPending(baseline, active()) ? quiet + 1 : 0;
    if (quiet === 0) graced = false;
    const failed = hasFailures();
    if (quiet >= (failed ? 1 : quietTurns)) {
      if (!failed && !graced) {
        graced = true;
        quiet = 0;
        pollTimer = setTimeout(() => (timer = setImmediate(turn)), STALL_GRACE_MS);
        return;
      }
      stopped = true;
      resolveStalled();
      return;
    }
    schedule(quiet > 0);
  };
  // While timers or I/O are pending, look again a little later (no busy loop); when quiet, at the next turn.
  const schedule = (quietNow: boolean) => {
    if (quietNow) timer = setImmediate(turn);
    else pollTimer = setTimeout(() => (timer = setImmediate(turn)), 2);
  };
  let pollTimer: NodeJS.Timeout | undefined;
  timer = setImmediate(turn);
  return {
    stalled,
    stop() {
      stopped = true;
      if (timer) clearImmediate(timer);
      if (pollTimer) clearTimeout(pollTimer);
    },
  };
}

/** The types of the active resources keeping the event loop alive. */
export function activeResources(): string[] {
  return typeof process.getActiveResourcesInfo === "function" ? process.getActiveResourcesInfo() : [];
}

/** Counts of resource types, to compare against a baseline. */
export function resourceCounts(types: readonly string[]): Map<string, number> {
  return counts(types);
}

/** The kinds of what keeps the event loop alive beyond the baseline, e.g. "Timeout". */
export function pendingBeyond(baseline: ReadonlyMap<string, number>): string[] {
  const out: string[] = [];
  for (const [type, n] of counts(activeResources())) if (n > (baseline.get(type) ?? 0)) out.push(type);
  return out;
}

/** Resolves once nothing beyond `baseline` keeps the event loop alive for `quietTurns` turns in a row. */
export function untilQuiet(baseline: ReadonlyMap<string, number>, quietTurns = 3, cancelled: () => boolean = () => false): Promise<void> {
  return new Promise((resolve) => {
    let quiet = 0;
    const turn = () => {
      if (cancelled()) return; // never resolves: the caller has given up waiting
      quiet = nothingPending(baseline, activeResources()) ? quiet + 1 : 0;
      if (quiet >= quietTurns) resolve();
      else if (quiet > 0) setImmediate(turn);
      else setTimeout(() => setImmediate(turn), 2);
    };
    setImmediate(turn);
  });
}
