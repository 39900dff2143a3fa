/**
 * Which Azure Resource Manager to talk to: public Azure by default, a sovereign cloud by name,
 * or any endpoint (flag or environment variable). No SDK, no network.
 */
import { UsageError } from '../core/errors.js';
import { choiceHint } from '../core/suggest.js';

export const CLOUDS = {
  AzureCloud: 'https://management.azure.com',
  AzureChinaCloud: 'https://management.chinacloudapi.cn',
  AzureUSGovernment: 'https://management.usgovcloudapi.net',
} as const;
export type CloudName = keyof typeof CLOUDS;

export const ENDPOINT_ENV = 'AZURE_RESOURCE_MANAGER_ENDPOINT';
export const CLOUD_ENV = 'AZURE_CLOUD';

export interface ArmEndpoint {
  /** Base URL without a trailing slash, e.g. https://management.azure.com */
  url: string;
  /** The token scope for it. */
  scope: string;
  source: string;
}

function parseEndpoint(where: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(where, `'${value}' is not a URL.`, 'Give the Resource Manager endpoint, e.g. https://management.azure.com.');
  }
  if (url.protocol !== 'https:') throw new UsageError(where, `'${value}' is not an https URL; Azure credentials are only sent over TLS.`);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

export function resolveEndpoint(flags: { cloud?: string; resourceManagerEndpoint?: string }, env: NodeJS.ProcessEnv): ArmEndpoint {
  const make = (url: string, source: string): ArmEndpoint => ({ url, scope: `${new URL(url).origin}/.default`, source });
  if (flags.resourceManagerEndpoint !== undefined) return make(parseEndpoint('--resource-manager-endpoint', flags.resourceManagerEndpoint), '--resource-manager-endpoint');
  const cloud = flags.cloud ?? env[CLOUD_ENV];
  if (cloud !== undefined && cloud !== '') {
    const name = (Object.keys(CLOUDS) as CloudName[]).find((c) => c.toLowerCase() === cloud.toLowerCase());
    if (!name) throw new UsageError(flags.cloud !== undefined ? '--cloud' : CLOUD_ENV, `'${cloud}' is not a cloud k8s-gitops knows.`, `${choiceHint(cloud, Object.keys(CLOUDS))} Or give --resource-manager-endpoint.`);
    return make(CLOUDS[name], flags.cloud !== undefined ? '--cloud' : CLOUD_ENV);
  }
  const fromEnv = env[ENDPOINT_ENV];
  if (fromEnv) return make(parseEndpoint(ENDPOINT_ENV, fromEnv), ENDPOINT_ENV);
  return make(CLOUDS.AzureCloud, 'default');
}
