/**
 * The accepted values of flags that parse their own value (case-insensitively, with aliases)
 * instead of declaring commander choices, taken from the lists the parsers use.
 */
import { CLOUDS } from '../azure/cloud.js';
import { OUTPUT_FORMATS } from '../core/output.js';
import { CLUSTER_TYPES } from '../model/cluster.js';
import { KIND_FLAGS } from '../model/types.js';
import { listTemplates } from '../scaffold/templates.js';
import type { ValueSource } from './engine.js';

const FIXED: Record<string, readonly string[]> = {
  '--output': OUTPUT_FORMATS,
  '--cluster-type': CLUSTER_TYPES,
  '--kind': KIND_FLAGS,
  '--scope': ['cluster', 'namespace'],
  '--cloud': Object.keys(CLOUDS),
  '--provider': ['generic', 'azure', 'github'],
  '--oci-operation': ['extract', 'copy'],
  '--verification-provider': ['cosign', 'notation'],
  '--release-train': ['stable', 'preview'],
};

export const flagValues: ValueSource = (flag) => {
  if (flag === '--template') {
    try {
      return listTemplates();
    } catch {
      return undefined;
    }
  }
  return Object.hasOwn(FIXED, flag) ? FIXED[flag] : undefined;
};
