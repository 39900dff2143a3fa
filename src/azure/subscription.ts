/**
 * The subscription, resolved as az users expect: --subscription (id or name), else
 * AZURE_SUBSCRIPTION_ID, else the default subscription of the Azure CLI profile
 * ($AZURE_CONFIG_DIR/azureProfile.json, default ~/.azure). Reads a local file only (a regular
 * file, within the bound every input has): no SDK, no network, no credential.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { readBoundedFile } from '../core/read.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ProfileSubscription {
  id: string;
  name?: string;
  isDefault?: boolean;
}

function readProfile(env: NodeJS.ProcessEnv): ProfileSubscription[] {
  const dir = env.AZURE_CONFIG_DIR || join(homedir(), '.azure');
  try {
    const text = readBoundedFile(join(dir, 'azureProfile.json')).replace(/^\uFEFF/, '');
    const profile = JSON.parse(text) as { subscriptions?: ProfileSubscription[] };
    return Array.isArray(profile.subscriptions) ? profile.subscriptions : [];
  } catch {
    return [];
  }
}

export interface ResolvedSubscription {
  id: string;
  source: '--subscription' | 'AZURE_SUBSCRIPTION_ID' | 'Azure CLI profile';
}

export function resolveSubscription(flag: string | undefined, env: NodeJS.ProcessEnv): ResolvedSubscription | undefined {
  if (flag !== undefined) {
    if (GUID.test(flag)) return { id: flag.toLowerCase(), source: '--subscription' };
    const byName = readProfile(env).filter((s) => s.name?.toLowerCase() === flag.toLowerCase());
    if (byName.length === 1) return { id: byName[0]!.id, source: '--subscription' };
    throw new UsageError('--subscription', byName.length > 1 ? `'${flag}' names several subscriptions in the Azure CLI profile.` : `'${flag}' is neither a subscription id nor a subscription name in the Azure CLI profile.`, 'Give the subscription id (a GUID).');
  }
  const fromEnv = env.AZURE_SUBSCRIPTION_ID;
  if (fromEnv) {
    if (!GUID.test(fromEnv)) throw new UsageError('AZURE_SUBSCRIPTION_ID', `'${fromEnv}' is not a subscription id.`, 'Set it to the subscription GUID, or pass --subscription.');
    return { id: fromEnv.toLowerCase(), source: 'AZURE_SUBSCRIPTION_ID' };
  }
  const def = readProfile(env).find((s) => s.isDefault);
  return def && GUID.test(def.id) ? { id: def.id, source: 'Azure CLI profile' } : undefined;
}
