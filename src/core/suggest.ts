/**
 * "Did you mean …?" for a value that is not one of a fixed list: the closest accepted value by
 * edit distance (letter case ignored, a swap of two neighbouring letters counts as one edit), or
 * the only one the value is a prefix of. Nothing is suggested when every candidate is far off.
 */
import { echo } from './echo.js';
import { UsageError } from './errors.js';

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The accepted value `value` most likely meant, or undefined when none is close. */
export function nearest(value: string, choices: readonly string[]): string | undefined {
  const wanted = value.trim().toLowerCase();
  // A value far longer than any choice is no typo of one (and comparing it would cost its length times theirs).
  if (wanted === '' || wanted.length > 2 * Math.max(...choices.map((c) => c.length))) return undefined;
  const prefixed = choices.filter((c) => c.toLowerCase().startsWith(wanted));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const choice of choices) {
    const distance = editDistance(wanted, choice.toLowerCase());
    if (distance < bestDistance) {
      best = choice;
      bestDistance = distance;
    }
  }
  // Close means at most a third of the longer word changed (and at least one edit allowed).
  const limit = Math.max(1, Math.floor(Math.max(wanted.length, best?.length ?? 0) / 3));
  return bestDistance <= limit ? best : undefined;
}

/** A hint line: "Did you mean 'x'? Accepted: a, b, c." (or only the accepted values). */
export function choiceHint(value: string, choices: readonly string[]): string {
  const guess = nearest(value, choices);
  return `${guess !== undefined ? `Did you mean '${guess}'? ` : ''}Accepted: ${choices.join(', ')}.`;
}

/**
 * Picks one value from a fixed list, case-insensitively, returning the canonical spelling. A
 * value that is not in the list is refused (naming `flag`) with the nearest accepted value, if
 * one is close.
 */
export function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  const found = choices.find((c) => c.toLowerCase() === value.trim().toLowerCase());
  if (!found) throw new UsageError(flag, `'${echo(value)}' is not one of the accepted values.`, choiceHint(value, choices));
  return found;
}
