/** Fixed facts of the emulated Azure world. */

export const SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';
/** Tenant of the subscription and of every identity the emulator hands out. */
export const TENANT_ID = '11111111-2222-3333-4444-555555555555';
/** Client id of the managed identity whose tokens the token endpoint issues. */
export const MANAGED_IDENTITY_CLIENT_ID = '66666666-7777-8888-9999-000000000000';
export const LOCATION = 'westeurope';
export const RESOURCE_GROUP = 'rg';

export const KC_NAMESPACE = 'Microsoft.KubernetesConfiguration';

/** Version reported as `currentVersion` once the microsoft.flux extension is installed. */
export const FLUX_EXTENSION_VERSION = '1.23.0';
/** Version reported for any other extension type that was not pinned. */
export const OTHER_EXTENSION_VERSION = '1.0.0';

export const API_VERSIONS = {
  fluxConfigurations: ['2025-04-01'],
  extensions: ['2023-05-01', '2025-03-01'],
  /** Flux v1 configurations: only an empty LIST is served (clients check that none exist). */
  sourceControlConfigurations: ['2021-03-01', '2022-03-01', '2022-07-01', '2022-11-01', '2023-05-01'],
  /** Cluster-wide in-flight operation list. */
  operations: ['2023-05-01', '2025-03-01', '2025-04-01'],
} as const;

export type KcCollection = 'extensions' | 'fluxConfigurations';

/** App Service managed identity protocol, as msal-node speaks it. */
export const IDENTITY_PATH = '/msi/token';
export const IDENTITY_API_VERSION = '2019-08-01';
export const IDENTITY_HEADER_NAME = 'x-identity-header';
/** Lifetime of issued tokens. */
export const TOKEN_LIFETIME_SECONDS = 24 * 3600;

/** Starting values of the ARM rate-limit headers (per hour in real ARM). */
export const RATE_LIMIT_READS = 12000;
export const RATE_LIMIT_WRITES = 1200;
