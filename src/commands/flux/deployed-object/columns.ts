/** az's table layout for deployed objects, with the Ready message whole and last. */
import type { Column } from '../../../core/output.js';

interface Condition {
  type?: string;
  message?: string;
}

/** The message of the object's Ready condition, if it reports one. */
export function readyMessage(row: Record<string, unknown>): string | undefined {
  const conditions = Array.isArray(row.statusConditions) ? (row.statusConditions as Condition[]) : [];
  return conditions.find((c) => c?.type === 'Ready')?.message ?? undefined;
}

export const DEPLOYED_OBJECT_COLUMNS: Column[] = [
  { header: 'Kind', value: (r) => r.kind },
  { header: 'Namespace', value: (r) => r.namespace },
  { header: 'Name', value: (r) => r.name },
  { header: 'ComplianceState', value: (r) => r.complianceState },
  { header: 'Message', value: readyMessage },
];
