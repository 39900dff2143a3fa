/**
 * The raw flags of `flux config create` / `update`, as the command line hands them over
 * (strings, booleans for bare switches, string groups for repeatable `key=value …` flags), and
 * the user-facing spelling of each.
 */
export interface FluxConfigFlags {
  name?: string;
  file?: string;
  kind?: string;
  url?: string;
  scope?: string;
  namespace?: string;
  suspend?: string | boolean;
  interval?: string;
  timeout?: string;
  kustomization?: string[][];
  localAuthRef?: string;
  waitForReconciliation?: string | boolean;
  reconciliationWaitDuration?: string;
  // git
  branch?: string;
  tag?: string;
  semver?: string;
  commit?: string;
  sshPrivateKey?: string;
  sshPrivateKeyFile?: string;
  httpsUser?: string;
  httpsKey?: string;
  httpsCaCert?: string;
  httpsCaCertFile?: string;
  knownHosts?: string;
  knownHostsFile?: string;
  provider?: string;
  // bucket
  bucketName?: string;
  bucketAccessKey?: string;
  bucketSecretKey?: string;
  bucketInsecure?: string | boolean;
  // azblob
  containerName?: string;
  accountKey?: string;
  sasToken?: string;
  spClientId?: string;
  spTenantId?: string;
  spClientSecret?: string;
  spClientCert?: string;
  spCertPassword?: string;
  spCertSendChain?: string | boolean;
  miClientId?: string;
  // oci
  digest?: string;
  ociMediaType?: string;
  ociOperation?: string;
  tlsCaCertificate?: string;
  tlsClientCertificate?: string;
  tlsPrivateKey?: string;
  serviceAccountName?: string;
  useWorkloadIdentity?: string | boolean;
  ociInsecure?: string | boolean;
  verificationProvider?: string;
  matchOidcIdentity?: string[][];
  verificationConfig?: string[][];
}

export type FluxFlagName = keyof FluxConfigFlags;

/** How each flag is spelled on the command line (long form, with the short or az alias). */
export const FLAG: Record<FluxFlagName, string> = {
  name: '-n/--name',
  file: '-f/--file',
  kind: '--kind',
  url: '-u/--url',
  scope: '--scope',
  namespace: '--namespace',
  suspend: '--suspend',
  interval: '--interval',
  timeout: '--timeout',
  kustomization: '-k/--kustomization',
  localAuthRef: '--local-auth-ref',
  waitForReconciliation: '--wait-for-reconciliation',
  reconciliationWaitDuration: '--reconciliation-wait-duration',
  branch: '--branch',
  tag: '--tag',
  semver: '--semver',
  commit: '--commit',
  sshPrivateKey: '--ssh-private-key',
  sshPrivateKeyFile: '--ssh-private-key-file',
  httpsUser: '--https-user',
  httpsKey: '--https-key',
  httpsCaCert: '--https-ca-cert',
  httpsCaCertFile: '--https-ca-cert-file',
  knownHosts: '--known-hosts',
  knownHostsFile: '--known-hosts-file',
  provider: '--provider',
  bucketName: '--bucket-name',
  bucketAccessKey: '--bucket-access-key',
  bucketSecretKey: '--bucket-secret-key',
  bucketInsecure: '--bucket-insecure',
  containerName: '--container-name',
  accountKey: '--account-key',
  sasToken: '--sas-token',
  spClientId: '--sp-client-id',
  spTenantId: '--sp-tenant-id',
  spClientSecret: '--sp-client-secret',
  spClientCert: '--sp-client-cert',
  spCertPassword: '--sp-cert-password',
  spCertSendChain: '--sp-cert-send-chain',
  miClientId: '--mi-client-id',
  digest: '--digest',
  ociMediaType: '--oci-media-type',
  ociOperation: '--oci-operation',
  tlsCaCertificate: '--tls-ca-certificate',
  tlsClientCertificate: '--tls-client-certificate',
  tlsPrivateKey: '--tls-private-key',
  serviceAccountName: '--service-account-name',
  useWorkloadIdentity: '--use-workload-identity',
  ociInsecure: '--oci-insecure',
  verificationProvider: '--verification-provider',
  matchOidcIdentity: '--match-oidc-identity',
  verificationConfig: '--verification-config',
};

/** Flags that belong to one source kind; any other kind refuses them. */
export const KIND_FLAGS_OF: Record<'git' | 'bucket' | 'azblob' | 'oci', readonly FluxFlagName[]> = {
  git: ['branch', 'tag', 'semver', 'commit', 'sshPrivateKey', 'sshPrivateKeyFile', 'httpsUser', 'httpsKey', 'httpsCaCert', 'httpsCaCertFile', 'knownHosts', 'knownHostsFile', 'provider'],
  bucket: ['bucketName', 'bucketAccessKey', 'bucketSecretKey', 'bucketInsecure'],
  azblob: ['containerName', 'accountKey', 'sasToken', 'spClientId', 'spTenantId', 'spClientSecret', 'spClientCert', 'spCertPassword', 'spCertSendChain', 'miClientId'],
  oci: ['tag', 'semver', 'digest', 'ociMediaType', 'ociOperation', 'tlsCaCertificate', 'tlsClientCertificate', 'tlsPrivateKey', 'serviceAccountName', 'useWorkloadIdentity', 'ociInsecure', 'verificationProvider', 'matchOidcIdentity', 'verificationConfig'],
};

export function given<K extends FluxFlagName>(flags: FluxConfigFlags, key: K): boolean {
  return flags[key] !== undefined;
}
