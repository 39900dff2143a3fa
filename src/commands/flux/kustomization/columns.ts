/** az's table layout for kustomizations: durations in Go's form, no retry interval, no wait. */
import type { Column } from '../../../core/output.js';
import { formatGoDuration } from '../../../model/duration.js';

const duration = (seconds: unknown): string => (typeof seconds === 'number' && seconds > 0 ? formatGoDuration(seconds) : '');

export const KUSTOMIZATION_COLUMNS: Column[] = [
  { header: 'Name', value: (r) => r.name },
  { header: 'Path', value: (r) => r.path },
  { header: 'DependsOn', value: (r) => (Array.isArray(r.dependsOn) ? r.dependsOn.join(', ') : '') },
  { header: 'SyncInterval', value: (r) => duration(r.syncIntervalInSeconds) },
  { header: 'Timeout', value: (r) => duration(r.timeoutInSeconds) },
  { header: 'Prune', value: (r) => r.prune },
  { header: 'Force', value: (r) => r.force },
];
