/**
 * A rollout in waves, whatever it writes (the driver does the writing): each wave's clusters are
 * written together (the driver paces the requests), each write followed until its operation
 * ends, then — with --wait-for compliant — the written clusters followed until each is compliant
 * or failing; all within the wave's deadline. A wave ends before the next starts. The rollout
 * stops when more clusters failed than the budget allows: no new write starts, writes in flight
 * finish, and the waves after it are never touched. Ctrl-C (the stop signal) does the same, and
 * also stops following operations (they go on in Azure). Every cluster ends with one outcome.
 */
import type { Clock } from '../core/clock.js';
import type { PlanItem } from './plan.js';

export type Outcome = 'created' | 'updated' | 'deleted' | 'unchanged' | 'absent' | 'skipped' | 'failed' | 'not started' | 'accepted';

export interface ClusterResult {
  item: PlanItem;
  outcome: Outcome;
  reason?: string;
  /** 1-based wave. */
  wave?: number;
  ms?: number;
}

export interface WaveContext {
  wave: number;
  /** Clock time by which the wave must be done. */
  deadline: number;
  /** Aborted on Ctrl-C: stop following operations. */
  signal: AbortSignal;
  /** Whether a new write may start (false once stopped). */
  canStart(): boolean;
}

/** A write's end: done (its operation succeeded), failed and why, accepted (not followed to its end: stopped), or never sent. */
export type WriteResult = { status: 'done'; acceptedAt: number; note?: string } | { status: 'failed'; reason: string } | { status: 'accepted' } | { status: 'not started' };

export interface Verdict {
  ok: boolean;
  reason?: string;
}

export interface RolloutDriver {
  write(item: PlanItem, ctx: WaveContext): Promise<WriteResult>;
  /** --wait-for compliant: each written cluster's verdict, once it has one or the deadline passed. */
  settle?(written: { item: PlanItem; acceptedAt: number }[], ctx: WaveContext): Promise<Map<PlanItem, Verdict>>;
}

export type RolloutEvent =
  | { type: 'wave'; wave: number; waves: number; size: number }
  | { type: 'start'; item: PlanItem; wave: number }
  | { type: 'settling'; wave: number; clusters: number }
  | { type: 'result'; result: ClusterResult }
  | { type: 'wave-done'; wave: number; failed: number };

export interface RolloutOptions {
  waves: PlanItem[][];
  maxFailures: number;
  waveTimeoutMs: number;
  clock: Clock;
  /** Ctrl-C. */
  stop: AbortSignal;
  onEvent?(event: RolloutEvent): void;
}

export interface RolloutResult {
  results: ClusterResult[];
  /** Why it ended early, after which wave (1-based). */
  stopped?: { why: 'budget' | 'interrupted'; wave: number };
  failures: number;
}

const SUCCESS: Record<PlanItem['action'], Outcome> = { create: 'created', update: 'updated', delete: 'deleted', unchanged: 'unchanged', absent: 'absent', skip: 'skipped' };

export async function runRollout(driver: RolloutDriver, options: RolloutOptions): Promise<RolloutResult> {
  const { clock, stop, waves } = options;
  const results: ClusterResult[] = [];
  let failures = 0;
  let stopped: RolloutResult['stopped'];
  const emit = (e: RolloutEvent): void => options.onEvent?.(e);
  const record = (r: ClusterResult): void => {
    results.push(r);
    if (r.outcome === 'failed') failures++;
    emit({ type: 'result', result: r });
  };
  const overBudget = (): boolean => failures > options.maxFailures;

  for (let w = 0; w < waves.length; w++) {
    const wave = w + 1;
    const items = waves[w]!;
    if (stopped || stop.aborted || overBudget()) {
      stopped ??= { why: stop.aborted ? 'interrupted' : 'budget', wave: w };
      for (const item of items) record({ item, outcome: 'not started', wave });
      continue;
    }
    emit({ type: 'wave', wave, waves: waves.length, size: items.length });
    const ctx: WaveContext = { wave, deadline: clock.now() + options.waveTimeoutMs, signal: stop, canStart: () => !stop.aborted && !overBudget() };
    const written: { item: PlanItem; acceptedAt: number; started: number }[] = [];
    await Promise.all(
      items.map(async (item) => {
        const started = clock.now();
        if (!ctx.canStart()) {
          record({ item, outcome: 'not started', wave });
          return;
        }
        emit({ type: 'start', item, wave });
        let r: WriteResult;
        try {
          r = await driver.write(item, ctx);
        } catch (err) {
          r = { status: 'failed', reason: (err as Error).message };
        }
        const ms = clock.now() - started;
        if (r.status === 'not started') record({ item, outcome: 'not started', wave });
        else if (r.status === 'failed') record({ item, outcome: 'failed', reason: r.reason, wave, ms });
        else if (r.status === 'accepted') record({ item, outcome: 'accepted', reason: 'written; its operation was not followed to the end (stopped)', wave, ms });
        else if (!driver.settle) record({ item, outcome: SUCCESS[item.action], wave, ms, ...(r.note ? { reason: r.note } : {}) });
        else written.push({ item, acceptedAt: r.acceptedAt, started });
      }),
    );
    if (written.length > 0 && driver.settle) {
      if (stop.aborted) {
        for (const x of written) record({ item: x.item, outcome: 'accepted', reason: 'written and provisioned; compliance was not awaited (stopped)', wave, ms: clock.now() - x.started });
      } else {
        emit({ type: 'settling', wave, clusters: written.length });
        const verdicts = await driver.settle(written, ctx);
        for (const x of written) {
          const v = verdicts.get(x.item);
          const ms = clock.now() - x.started;
          if (v?.ok) record({ item: x.item, outcome: SUCCESS[x.item.action], wave, ms });
          else if (v) record({ item: x.item, outcome: 'failed', reason: v.reason ?? 'not compliant', wave, ms });
          else record({ item: x.item, outcome: stop.aborted ? 'accepted' : 'failed', reason: stop.aborted ? 'written and provisioned; compliance was not awaited (stopped)' : 'no verdict', wave, ms });
        }
      }
    }
    emit({ type: 'wave-done', wave, failed: results.filter((r) => r.wave === wave && r.outcome === 'failed').length });
    if (stop.aborted) stopped = { why: 'interrupted', wave };
    else if (overBudget()) stopped = { why: 'budget', wave };
  }
  return { results, ...(stopped ? { stopped } : {}), failures };
}
