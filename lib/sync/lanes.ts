/**
 * Lanes: at most one task per key (a mall's order reads, a mall's pushes) in this worker.
 *
 * A sync cycle starts each mall's work in its lane and waits for it only so long; a mall that hangs
 * (a request left without answer until its timeout, a long backlog) keeps its lane busy while the next
 * cycles go on with the other malls, instead of holding every mall behind the one that is stuck. Only
 * the service worker runs cycles, so an in-memory registry is enough: when the worker dies its lanes
 * die with it, and the next worker starts with all lanes free (work left "running" in the database is
 * then known to be orphaned and is released; see releaseInterruptedJobs).
 */
export class SyncLanes {
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly since = new Map<string, number>();
  /** Where the current cycle is (for the dashboard's "syncing…" line and for diagnosing a stall). */
  phase: { name: string; at: number } = { name: 'idle', at: 0 };

  setPhase(name: string, at = Date.now()): void {
    this.phase = { name, at };
  }

  /** Busy lanes and since when, e.g. `[{ key: 'read:amazon', since: … }]`. */
  snapshot(): { key: string; since: number }[] {
    return [...this.since].map(([key, since]) => ({ key, since }));
  }

  busy(key: string): boolean {
    return this.running.has(key);
  }

  /** The task, started now; or undefined when the lane is still busy with an earlier one. */
  tryRun<T>(key: string, task: () => Promise<T>): Promise<T> | undefined {
    if (this.running.has(key)) return undefined;
    const promise = task().finally(() => {
      if (this.running.get(key) === promise) {
        this.running.delete(key);
        this.since.delete(key);
      }
    });
    this.running.set(key, promise);
    this.since.set(key, Date.now());
    return promise;
  }

  /** Whatever runs in the lane now (to wait for it), or undefined. */
  current(key: string): Promise<unknown> | undefined {
    return this.running.get(key);
  }
}

/** The worker's lanes (lib code takes them as a dependency; tests make their own). */
export const workerLanes = new SyncLanes();
