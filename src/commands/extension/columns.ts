/** az's table layout for extensions (without its plan_publisher defect). */
import type { Column } from '../../core/output.js';

export const EXTENSION_COLUMNS: Column[] = [
  { header: 'Name', value: (r) => r.name },
  { header: 'ExtensionType', value: (r) => r.extensionType },
  { header: 'Version', value: (r) => r.currentVersion ?? r.version },
  { header: 'ProvisioningState', value: (r) => r.provisioningState },
  { header: 'LastModifiedAt', value: (r) => (r.systemData as { lastModifiedAt?: string } | undefined)?.lastModifiedAt },
  { header: 'IsSystemExtension', value: (r) => r.isSystemExtension },
];
