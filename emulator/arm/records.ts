/** What the emulated Resource Manager stores for its resources and operations. */
import type { ClusterDefinition } from '../clusters.js';
import type { KcCollection } from '../constants.js';
import type { Json } from '../util.js';
import type { ArmErrorDetail } from './errors.js';

export interface ClusterState {
  def: ClusterDefinition;
  subscriptionId: string;
  resourceGroup: string;
  /** ARM id with canonical casing. */
  id: string;
  /** Lower-cased id: the key of everything stored under the cluster. */
  key: string;
  /** Arc: connectivityStatus Connected. AKS and AKS on Azure Local are always reachable. */
  online: boolean;
  /** Arc, offline: the last heartbeat. */
  lastConnectivityMs: number;
  principalId: string;
  createdMs: number;
  /** Work that needs the in-cluster agent, parked while the cluster is offline. */
  parked: (() => void)[];
}

export interface SystemData {
  createdBy: string;
  createdByType: string;
  createdAt: string;
  lastModifiedBy: string;
  lastModifiedByType: string;
  lastModifiedAt: string;
}

export type ProvisioningState = 'Succeeded' | 'Failed' | 'Canceled' | 'Creating' | 'Updating' | 'Deleting';

export interface ExtensionRecord {
  cluster: ClusterState;
  name: string;
  seq: number;
  /** The settable properties (extensionType, autoUpgradeMinorVersion, releaseTrain, version, scope, configurationSettings, autoUpgradeMode). */
  props: Json;
  protectedSettings: Record<string, string>;
  identity?: Json;
  plan?: Json;
  managedBy?: string;
  provisioningState: ProvisioningState;
  currentVersion: string | null;
  errorInfo: ArmErrorDetail | null;
  /** What the extension's agent reports (`statuses[]`); real failures carry `level: null`. */
  statuses?: Json[];
  systemData: SystemData;
  /** The latest operation started on the resource; older ones are superseded. */
  opName?: string;
}

export interface ObjectStatus {
  name: string;
  namespace: string;
  kind: string;
  complianceState: string;
  appliedBy: { name: string; namespace: string } | null;
  statusConditions: { lastTransitionTime: string; message: string; reason: string; status: string; type: string }[] | null;
  helmReleaseProperties: {
    lastRevisionApplied: number;
    helmChartRef: { name: string; namespace: string };
    failureCount: number;
    installFailureCount: number;
    upgradeFailureCount: number;
  } | null;
}

/** Read-only fields the in-cluster agent reports to Azure. */
export interface ReportedStatus {
  statuses: ObjectStatus[];
  complianceState: string;
  sourceSyncedCommitId: string | null;
  sourceUpdatedAt: string | null;
  statusUpdatedAt: string | null;
  repositoryPublicKey: string | null;
}

export interface FluxRecord {
  cluster: ClusterState;
  name: string;
  seq: number;
  /** The configuration's properties with defaults filled in (secrets inside sources included; protected settings apart). */
  spec: Json;
  protectedSettings: Record<string, string>;
  systemData: SystemData;
  provisioningState: ProvisioningState;
  errorMessage: string;
  opName?: string;
  /** Bumped on every change of spec or protected settings. */
  generation: number;
  /** The generation the agent was last given (0 = never delivered). */
  deliveredGeneration: number;
  reported: ReportedStatus;
  /** Public half of the key pair the agent generates for an SSH source without a key. */
  sshPublicKey?: string;
  /** An operation waiting for reconciliation (waitForReconciliation: true). */
  waiting?: { opName: string; deadlineMs: number };
}

export interface Operation {
  /** The operation id (a GUID): last segment of its URL. */
  name: string;
  id: string;
  status: string;
  error?: ArmErrorDetail;
  clusterKey: string;
  collection: KcCollection;
  resourceName: string;
  action: 'create' | 'update' | 'delete';
  apiVersion: string;
  startedMs: number;
  endedMs?: number;
}
