/**
 * Timers of one emulated world. Every delayed state change (operations finishing, the agent
 * reconciling, a provider registering) goes through here, so that a reset or a shutdown can
 * cancel all of them at once.
 */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private settling = 0;

  after(ms: number, fn: () => void): void {
    if (this.stopped) return;
    if (this.settling > 0) {
      fn();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, Math.max(0, ms));
    this.timers.add(timer);
  }

  /**
   * Runs `work` with every delay it schedules (and those they schedule) run at once, in order:
   * a world that starts out settled, as if its timers had long fired.
   */
  settle(work: () => void): void {
    this.settling++;
    try {
      work();
    } finally {
      this.settling--;
    }
  }

  /** Number of pending timers (for the state endpoint). */
  get pending(): number {
    return this.timers.size;
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
