/**
 * Waves and failure budgets of a rollout, as typed values. Pure.
 *
 * `--waves 1,10%,50%,100%` names cumulative sizes: wave 1 takes 1 cluster, wave 2 up to 10 % of
 * them all, wave 3 up to half, the last the rest. A percentage rounds up (10 % of 5 clusters is
 * 1, so no wave is empty by rounding); a size that adds nothing is dropped; clusters left after
 * the last size form one more wave. `--wave-size N` cuts waves of N.
 *
 * `--max-failures N|P%` (and fleet status' `--max-failing`): how many clusters may fail before
 * the rollout stops; a percentage of the clusters rounds down (10 % of 15 is 1).
 */
import { echo } from '../core/echo.js';
import { UsageError } from '../core/errors.js';

export type Amount = { kind: 'count'; n: number } | { kind: 'percent'; p: number };

function parseAmount(flag: string, text: string, what: string, allowZero: boolean): Amount {
  const t = text.trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (percent) {
    const p = Number(percent[1]);
    if (p > 100 || (!allowZero && p === 0)) throw new UsageError(flag, `'${echo(t)}' is not a percentage from ${allowZero ? 0 : 'above 0'} to 100.`, `e.g. ${allowZero ? '5%' : '10%'}`);
    return { kind: 'percent', p };
  }
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (!allowZero && n === 0) throw new UsageError(flag, `${what} of 0 is empty.`, 'Give a count of at least 1, or a percentage.');
    if (!Number.isSafeInteger(n)) throw new UsageError(flag, `'${echo(t)}' is too large.`);
    return { kind: 'count', n };
  }
  throw new UsageError(flag, `'${echo(t)}' is neither a count nor a percentage.`, `Give N or P%, e.g. ${allowZero ? '2 or 1%' : '1,10%,100%'}.`);
}

export function parseWaves(flag: string, text: string): Amount[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw new UsageError(flag, `'${echo(text)}' has an empty entry.`, 'Separate the sizes with commas, e.g. 1,10%,100%.');
  if (parts.length > 100) throw new UsageError(flag, `names ${parts.length} waves; at most 100.`);
  return parts.map((p) => parseAmount(flag, p, 'a wave', false));
}

export function parseWaveSize(flag: string, text: string): number {
  const a = parseAmount(flag, text, 'a wave', false);
  if (a.kind !== 'count') throw new UsageError(flag, 'takes a number of clusters, not a percentage.', 'Use --waves for percentages, e.g. --waves 10%,100%.');
  return a.n;
}

export function parseBudget(flag: string, text: string): Amount {
  return parseAmount(flag, text, 'a budget', true);
}

/** How many clusters a budget allows out of `total` (percentages round down). */
export function budgetFor(budget: Amount, total: number): number {
  return budget.kind === 'count' ? budget.n : Math.floor((total * budget.p) / 100);
}

/** The size of each wave for `total` clusters (each at least 1, adding up to total). */
export function waveSizes(total: number, spec: { waves: Amount[] } | { size: number }): number[] {
  if (total <= 0) return [];
  if ('size' in spec) {
    const out: number[] = [];
    for (let left = total; left > 0; left -= spec.size) out.push(Math.min(spec.size, left));
    return out;
  }
  const sizes: number[] = [];
  let done = 0;
  for (const w of spec.waves) {
    const target = Math.min(total, w.kind === 'count' ? w.n : Math.ceil((total * w.p) / 100));
    if (target > done) {
      sizes.push(target - done);
      done = target;
    }
  }
  if (done < total) sizes.push(total - done);
  return sizes;
}

/** Cuts `items` into waves of the given sizes, in order. */
export function cutWaves<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(items.slice(at, at + size));
    at += size;
  }
  return out;
}
