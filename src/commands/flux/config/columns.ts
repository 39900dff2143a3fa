/** az's table layout for Flux configurations. */
import type { Column } from '../../../core/output.js';

export const CONFIG_COLUMNS: Column[] = [
  { header: 'Namespace', value: (r) => r.namespace },
  { header: 'Name', value: (r) => r.name },
  { header: 'Scope', value: (r) => r.scope },
  { header: 'ProvisioningState', value: (r) => r.provisioningState },
  { header: 'ComplianceState', value: (r) => r.complianceState },
  { header: 'StatusUpdatedAt', value: (r) => r.statusUpdatedAt },
  { header: 'SourceUpdatedAt', value: (r) => r.sourceUpdatedAt },
];
