/**
 * Go durations, strictly. A value either parses whole or is rejected: no prefix matches, no
 * bare numbers, no upper-case units (az accepts `5m30` as 5m and reads `500ms` as 500 minutes).
 * Units: h, m, s, ms (decimals allowed, as in Go: `1.5h`). ARM stores whole seconds.
 */
import { echo } from '../core/echo.js';
import { UsageError } from '../core/errors.js';

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|h|m|s))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;

export const DURATION_HINT = 'Use a Go duration such as 90s, 10m or 1h30m (units h, m, s, ms).';

export interface DurationBounds {
  /** Shortest accepted, in milliseconds. */
  min?: number;
  /** Longest accepted, in milliseconds. */
  max?: number;
}

/** Parses a Go duration into milliseconds, within `bounds`; throws UsageError naming `flag`. */
export function parseDurationMs(flag: string, text: string, bounds: DurationBounds = {}): number {
  const value = text.trim();
  if (!WHOLE.test(value)) {
    const hint = /^\d+$/.test(value)
      ? `A duration needs a unit: ${echo(value)}s or ${echo(value)}m.`
      : DURATION_HINT;
    throw new UsageError(flag, `'${echo(text)}' is not a Go duration.`, hint);
  }
  let ms = 0;
  for (const [, amount, unit] of value.matchAll(PART)) {
    ms += Number(amount) * UNIT_MS[unit as string]!;
  }
  ms = Math.round(ms);
  if (bounds.min !== undefined && ms < bounds.min) throw new UsageError(flag, `'${echo(text)}' is too short; the minimum is ${formatMs(bounds.min)}.`);
  if (bounds.max !== undefined && ms > bounds.max) throw new UsageError(flag, `'${echo(text)}' is too long; the maximum is ${formatMs(bounds.max)}.`);
  return ms;
}

const formatMs = (ms: number): string => (ms % 1000 === 0 ? formatGoDuration(ms / 1000) : `${ms}ms`);

/**
 * Parses a Go duration for an ARM `*InSeconds` property: whole seconds, at least `min` seconds,
 * at most `max`.
 */
export function parseDurationSeconds(flag: string, text: string, min = 1, max = 365 * 24 * 3600): number {
  const ms = parseDurationMs(flag, text);
  if (ms % 1000 !== 0) {
    throw new UsageError(flag, `'${echo(text)}' is not a whole number of seconds; Azure stores this value in seconds.`, 'Round it to whole seconds, e.g. 1s or 90s.');
  }
  const seconds = ms / 1000;
  if (seconds < min) throw new UsageError(flag, `'${echo(text)}' is too short; the minimum is ${formatGoDuration(min)}.`);
  if (seconds > max) throw new UsageError(flag, `'${echo(text)}' is too long; the maximum is ${formatGoDuration(max)}.`);
  return seconds;
}

/**
 * Go's canonical form of a whole number of seconds, as Flux and Azure's controller print it:
 * 30 → `30s`, 60 → `1m0s`, 600 → `10m0s`, 3600 → `1h0m0s`, 0 → `0s`.
 * With `noHours`, hours are folded into minutes (`60m0s`): Flux source timeouts only accept
 * ms, s and m units.
 */
export function formatGoDuration(totalSeconds: number, noHours = false): string {
  if (totalSeconds === 0) return '0s';
  const hours = noHours ? 0 : Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds - hours * 3600) / 60);
  const seconds = totalSeconds - hours * 3600 - minutes * 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
