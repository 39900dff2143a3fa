/**
 * The FluxConfiguration domain, shaped like the ARM resource's `properties` (API 2025-04-01) so
 * that mapping to the request body is a copy, not a translation. Optional fields are absent when
 * the user did not set them; Azure's defaults are applied only when rendering cluster objects.
 */
export const KIND_FLAGS = ['git', 'bucket', 'azblob', 'oci'] as const;
export type KindFlag = (typeof KIND_FLAGS)[number];

export const SOURCE_KIND_OF: Record<KindFlag, SourceKind> = {
  git: 'GitRepository',
  bucket: 'Bucket',
  azblob: 'AzureBlob',
  oci: 'OCIRepository',
};
export type SourceKind = 'GitRepository' | 'Bucket' | 'AzureBlob' | 'OCIRepository';
/** The property of `properties` that holds each kind's source block. */
export const SOURCE_PROPERTY: Record<SourceKind, 'gitRepository' | 'bucket' | 'azureBlob' | 'ociRepository'> = {
  GitRepository: 'gitRepository',
  Bucket: 'bucket',
  AzureBlob: 'azureBlob',
  OCIRepository: 'ociRepository',
};

export type Scope = 'cluster' | 'namespace';
export type GitProvider = 'Azure' | 'GitHub' | 'Generic';

export interface SourceTiming {
  timeoutInSeconds?: number;
  syncIntervalInSeconds?: number;
}

export interface GitRepositoryDef extends SourceTiming {
  url: string;
  repositoryRef?: { branch?: string; tag?: string; semver?: string; commit?: string };
  sshKnownHosts?: string;
  httpsUser?: string;
  httpsCACert?: string;
  localAuthRef?: string;
  provider?: GitProvider;
}

export interface BucketDef extends SourceTiming {
  url: string;
  bucketName: string;
  insecure?: boolean;
  accessKey?: string;
  localAuthRef?: string;
}

export interface ServicePrincipalDef {
  clientId?: string;
  tenantId?: string;
  clientSecret?: string;
  clientCertificate?: string;
  clientCertificatePassword?: string;
  clientCertificateSendChain?: boolean;
}

export interface AzureBlobDef extends SourceTiming {
  url: string;
  containerName: string;
  servicePrincipal?: ServicePrincipalDef;
  accountKey?: string;
  sasToken?: string;
  managedIdentity?: { clientId?: string };
  localAuthRef?: string;
}

export interface OciRepositoryDef extends SourceTiming {
  url: string;
  repositoryRef?: { tag?: string; semver?: string; digest?: string };
  layerSelector?: { mediaType?: string; operation?: 'extract' | 'copy' };
  verify?: {
    provider?: string;
    verificationConfig?: Record<string, string>;
    matchOidcIdentity?: { issuer: string; subject: string }[];
  };
  insecure?: boolean;
  useWorkloadIdentity?: boolean;
  serviceAccountName?: string;
  tlsConfig?: { clientCertificate?: string; privateKey?: string; caCertificate?: string };
  localAuthRef?: string;
}

export interface SubstituteFrom {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  optional?: boolean;
}

export interface KustomizationDef {
  path?: string;
  dependsOn?: string[];
  timeoutInSeconds?: number;
  syncIntervalInSeconds?: number;
  retryIntervalInSeconds?: number;
  prune?: boolean;
  force?: boolean;
  wait?: boolean;
  postBuild?: { substitute?: Record<string, string>; substituteFrom?: SubstituteFrom[] };
}

export interface FluxConfiguration {
  name: string;
  scope?: Scope;
  namespace?: string;
  sourceKind: SourceKind;
  suspend?: boolean;
  gitRepository?: GitRepositoryDef;
  bucket?: BucketDef;
  azureBlob?: AzureBlobDef;
  ociRepository?: OciRepositoryDef;
  /** Insertion-ordered; keys are kustomization names. */
  kustomizations: Map<string, KustomizationDef>;
  /** Values base64-encoded, as ARM expects. Never printed. */
  configurationProtectedSettings: Record<string, string>;
  waitForReconciliation?: boolean;
  /** ISO-8601 duration, e.g. PT30M. */
  reconciliationWaitDuration?: string;
}

/** Azure's defaults (ARM 2025-04-01 swagger and Microsoft's parameter docs). */
export const AZURE_DEFAULTS = {
  scope: 'cluster' as Scope,
  namespace: 'default',
  intervalSeconds: 600,
  timeoutSeconds: 600,
  prune: false,
  force: false,
  wait: true,
  ociTag: 'latest',
  defaultKustomizationName: 'kustomization-1',
};
