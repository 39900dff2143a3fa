/** Command-line options of the emulator, and its --help text. */
import { DEFAULT_CLUSTERS } from './clusters.js';
import { IDENTITY_PATH, SUBSCRIPTION_ID } from './constants.js';

export const EXTENSION_SCENARIOS = ['absent', 'installing', 'failed', 'installed'] as const;
export type ExtensionScenario = (typeof EXTENSION_SCENARIOS)[number];

/** A generated fleet beside the default world (emulator/fleet.ts). */
export interface FleetOptions {
  clusters: number;
  subscriptions: number;
  seed: number;
}

export const FLEET_LIMITS = { clusters: 20_000, subscriptions: 100 } as const;

export interface EmulatorOptions {
  port: number;
  /** Where the certificate and key are written; a fresh temporary directory when absent. */
  stateDir?: string;
  envFile?: string;
  operationDelayMs: number;
  reconcileDelayMs: number;
  retryAfterSeconds: number;
  /** Items per LIST page; 0 = everything in one page. */
  pageSize: number;
  /** Flux extension state per cluster name (clusters not named: absent). */
  extensions: Record<string, ExtensionScenario>;
  providerUnregistered: boolean;
  /** Kustomization key (or full object name) → failure message (null = the default message). */
  failKustomizations: Record<string, string | null>;
  throttle: number;
  /** Retry-After (seconds) of the throttled answers. */
  throttleRetryAfterSeconds: number;
  serverErrors: number;
  /** The next N ARM requests are received and never answered. */
  hang: number;
  /** The next N Kubernetes API requests are received and never answered. */
  hangKubernetes: number;
  /** The next ARM request is answered with this HTTP status and an empty body. */
  respondStatus?: number;
  /** false, true (default message) or the innermost failure message. */
  failOperation: boolean | string;
  /** false, true (default message) or the message of an operation that ends Canceled with its change applied. */
  cancelOperation: boolean | string;
  arcOffline: string[];
  /** Change events each cluster's Kubernetes API keeps for watches (older resourceVersions: 410). */
  watchHistory: number;
  /** Added before every ARM, token and Kubernetes response, as network latency would. */
  latencyMs: number;
  /** The generated fleet (--clusters N --subscriptions K --seed S), if any. */
  fleet?: FleetOptions;
  /** How long an ARM change takes to reach Resource Graph. */
  graphLagMs: number;
  /** ARM's token buckets per subscription; off: counters that never refuse. */
  armThrottling: boolean;
  quiet: boolean;
}

export function defaultOptions(): EmulatorOptions {
  return {
    port: 0,
    operationDelayMs: 1500,
    reconcileDelayMs: 3000,
    retryAfterSeconds: 1,
    pageSize: 0,
    extensions: {},
    providerUnregistered: false,
    failKustomizations: {},
    throttle: 0,
    throttleRetryAfterSeconds: 1,
    serverErrors: 0,
    hang: 0,
    hangKubernetes: 0,
    failOperation: false,
    cancelOperation: false,
    arcOffline: [],
    watchHistory: 1000,
    latencyMs: 0,
    graphLagMs: 2000,
    armThrottling: false,
    quiet: false,
  };
}

export class OptionError extends Error {}

export type ParseResult = { help: true } | { help: false; options: EmulatorOptions };

const CLUSTER_NAMES = DEFAULT_CLUSTERS.map((c) => c.name);
const ARC_NAMES = DEFAULT_CLUSTERS.filter((c) => c.kind === 'arc').map((c) => c.name);

function integer(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(value)) throw new OptionError(`${flag}: '${value}' is not a whole number.`);
  const n = Number(value);
  if (n < min || n > max) throw new OptionError(`${flag}: ${value} is out of range (${min}..${max}).`);
  return n;
}

export function checkCluster(flag: string, name: string, allowed: readonly string[] = CLUSTER_NAMES): string {
  if (!allowed.includes(name)) {
    throw new OptionError(`${flag}: unknown cluster '${name}' (known: ${allowed.join(', ')}).`);
  }
  return name;
}

export function parseExtensionScenario(flag: string, spec: string): [string, ExtensionScenario] {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new OptionError(`${flag}: expected CLUSTER=STATE, got '${spec}'.`);
  const cluster = checkCluster(flag, spec.slice(0, eq));
  const state = spec.slice(eq + 1);
  if (!(EXTENSION_SCENARIOS as readonly string[]).includes(state)) {
    throw new OptionError(`${flag}: unknown state '${state}' (one of ${EXTENSION_SCENARIOS.join(', ')}).`);
  }
  return [cluster, state as ExtensionScenario];
}

export function parseFailKustomization(flag: string, spec: string): [string, string | null] {
  const eq = spec.indexOf('=');
  const name = eq < 0 ? spec : spec.slice(0, eq);
  if (name === '') throw new OptionError(`${flag}: expected NAME[=MESSAGE], got '${spec}'.`);
  return [name, eq < 0 ? null : spec.slice(eq + 1)];
}

export function parseArcCluster(flag: string, name: string): string {
  return checkCluster(flag, name, ARC_NAMES);
}

/** Parses argv (without node and the script). Throws OptionError on a usage error. */
export function parseOptions(argv: readonly string[]): ParseResult {
  const options = defaultOptions();
  const fleet: Partial<FleetOptions> = {};
  // A leading `--` is skipped: `node main.js -- --env-file F` keeps Node 20 from taking --env-file as its own.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) throw new OptionError(`${flag} needs a value.`);
      i++;
      return next;
    };
    const noValue = (): void => {
      if (inline !== undefined) throw new OptionError(`${flag} takes no value.`);
    };
    switch (flag) {
      case '-h':
      case '--help':
        return { help: true };
      case '--port':
        options.port = integer(flag, value(), 0, 65535);
        break;
      case '--state-dir':
        options.stateDir = value();
        break;
      case '--env-file':
      case '--export-file':
        options.envFile = value();
        break;
      case '--operation-delay':
        options.operationDelayMs = integer(flag, value(), 0);
        break;
      case '--reconcile-delay':
        options.reconcileDelayMs = integer(flag, value(), 0);
        break;
      case '--retry-after':
        options.retryAfterSeconds = integer(flag, value(), 0, 3600);
        break;
      case '--page-size':
        options.pageSize = integer(flag, value(), 1);
        break;
      case '--extension': {
        const [cluster, state] = parseExtensionScenario(flag, value());
        options.extensions[cluster] = state;
        break;
      }
      case '--provider-unregistered':
        noValue();
        options.providerUnregistered = true;
        break;
      case '--fail-kustomization': {
        const [name, message] = parseFailKustomization(flag, value());
        options.failKustomizations[name] = message;
        break;
      }
      case '--throttle':
        options.throttle = integer(flag, value(), 0);
        break;
      case '--throttle-retry-after':
        options.throttleRetryAfterSeconds = integer(flag, value(), 0, 86_400);
        break;
      case '--hang':
        options.hang = integer(flag, value(), 0);
        break;
      case '--hang-kubernetes':
        options.hangKubernetes = integer(flag, value(), 0);
        break;
      case '--respond':
        options.respondStatus = integer(flag, value(), 200, 599);
        break;
      case '--server-errors':
        options.serverErrors = integer(flag, value(), 0);
        break;
      case '--fail-operation':
        // The message can only be given inline, so that a following option is never taken for it.
        options.failOperation = inline === undefined || inline === '' ? true : inline;
        break;
      case '--cancel-operation':
        options.cancelOperation = inline === undefined || inline === '' ? true : inline;
        break;
      case '--arc-offline': {
        const name = parseArcCluster(flag, value());
        if (!options.arcOffline.includes(name)) options.arcOffline.push(name);
        break;
      }
      case '--watch-history':
        options.watchHistory = integer(flag, value(), 1);
        break;
      case '--latency':
        options.latencyMs = integer(flag, value(), 0, 60_000);
        break;
      case '--clusters':
        fleet.clusters = integer(flag, value(), 1, FLEET_LIMITS.clusters);
        break;
      case '--subscriptions':
        fleet.subscriptions = integer(flag, value(), 1, FLEET_LIMITS.subscriptions);
        break;
      case '--seed':
        fleet.seed = integer(flag, value(), 0, 2 ** 32 - 1);
        break;
      case '--graph-lag':
        options.graphLagMs = integer(flag, value(), 0, 3_600_000);
        break;
      case '--arm-throttling':
        noValue();
        options.armThrottling = true;
        break;
      case '--quiet':
        noValue();
        options.quiet = true;
        break;
      default:
        throw new OptionError(`unknown option '${arg}' (see --help).`);
    }
  }
  if (fleet.clusters === undefined && (fleet.subscriptions !== undefined || fleet.seed !== undefined)) {
    throw new OptionError(`${fleet.subscriptions !== undefined ? '--subscriptions' : '--seed'} only applies to a generated fleet: give --clusters N too.`);
  }
  if (fleet.clusters !== undefined) options.fleet = { clusters: fleet.clusters, subscriptions: fleet.subscriptions ?? 1, seed: fleet.seed ?? 1 };
  return { help: false, options };
}

export const HELP = `Usage: node dist-emulator/main.js [options]      (or: npm run emulator -- [options])

A local stand-in for the Azure side of k8s-gitops: Azure Resource Manager with the
Microsoft.KubernetesConfiguration provider (extensions, fluxConfigurations), a managed-identity
token endpoint, a simulated in-cluster Flux agent, and a read-only Kubernetes API per cluster
showing the agent's Flux objects. It is a test double, not Azure.

It listens on https://127.0.0.1:PORT with a self-signed certificate made at start-up, writes a
kubeconfig beside the certificate, then prints to stdout one line per variable (and nothing
else):
  export AZURE_RESOURCE_MANAGER_ENDPOINT=https://127.0.0.1:PORT
  export AZURE_SUBSCRIPTION_ID=${SUBSCRIPTION_ID}
  export NODE_EXTRA_CA_CERTS=<certificate PEM>
  export IDENTITY_ENDPOINT=https://127.0.0.1:PORT${IDENTITY_PATH}
  export IDENTITY_HEADER=<random secret>
  export KUBECONFIG=<state directory>/kubeconfig
With these variables in its environment an unmodified k8s-gitops (and kubectl) talks to the
emulator; for a shell: start it in the background with --export-file F, wait until F exists,
then '. F'. It serves until SIGTERM or SIGINT (clean shutdown, exit 0). Logs go to stderr.

Default world:
  subscription ${SUBSCRIPTION_ID}, resource group rg (westeurope) with
    aks1         Microsoft.ContainerService/managedClusters (AKS)
    arc1         Microsoft.Kubernetes/connectedClusters, connectivityStatus Connected
    arc-offline  Microsoft.Kubernetes/connectedClusters, connectivityStatus Offline
                 (last connected 3 days ago: configurations are accepted, the agent never reports)
    hci1         Microsoft.HybridContainerService/provisionedClusters (AKS on Azure Local)
    fleet1       Microsoft.ContainerService/fleets, an Azure Kubernetes Fleet Manager hub: it takes
                 the microsoft.flux extension (no other type, no Flux configurations)
  provider Microsoft.KubernetesConfiguration registered; no Flux extension installed.
  Any other cluster: 404 ResourceNotFound; any other resource group: 404 ResourceGroupNotFound.
  api-versions: fluxConfigurations 2025-04-01; extensions 2023-05-01, 2025-03-01.

Options:
  --port N                    port on 127.0.0.1 (default 0 = a free port)
  --state-dir DIR             keep the certificate and key in DIR (default: a fresh temporary
                              directory, removed at shutdown)
  --env-file PATH             also write the export lines to PATH. Node 20 itself intercepts
                              --env-file anywhere on its command line and exits when PATH does
                              not exist yet: create the file first, put -- before the options,
                              or use the alias --export-file PATH
  --operation-delay MS        time a long-running operation takes (default 1500)
  --reconcile-delay MS        time the simulated agent takes from a delivered configuration to
                              Compliant (default 3000)
  --retry-after S             Retry-After seconds on long-running operations (default 1; 0 allowed)
  --page-size N               LIST pages hold N items and link the next with nextLink
                              (default: one page)
  --watch-history N           change events each cluster's Kubernetes API keeps for watches
                              (default 1000); a watch from an older resourceVersion, or one
                              that falls further behind, gets 410 Expired
  --latency MS                delay every ARM, token and Kubernetes response by MS, as a network
                              round trip would (default 0; control endpoints are never delayed)
  --clusters N                add a generated fleet of N clusters (see "Generated fleet" below)
  --subscriptions K           spread the generated fleet over K subscriptions (default 1)
  --seed S                    which fleet: the same N, K and S always give the same one (default 1)
  --graph-lag MS              how long an ARM change takes to appear in Azure Resource Graph
                              (default 2000; 0: at once)
  --arm-throttling            ARM's request limits per subscription, as documented: token
                              buckets of 250 reads (25 back a second), 200 writes (10 a second)
                              and 200 deletes (10 a second); x-ms-ratelimit-remaining-
                              subscription-{reads,writes,deletes} on every answer, and 429
                              SubscriptionRequestsThrottled with Retry-After when a bucket is
                              empty. Without it the counters start at 12000 reads and 1200
                              writes and never refuse
  --quiet                     no request log on stderr

Scenarios and faults (also settable at run time, see POST /_emulator/faults):
  --extension CLUSTER=STATE   state of the Flux extension ('flux', microsoft.flux) on CLUSTER:
                                absent      no extension (default)
                                installing  provisioningState Creating, never finishes
                                failed      provisioningState Failed, with errorInfo and the
                                            reason in statuses[] (level null, as real ones)
                                installed   provisioningState Succeeded, currentVersion set
                              (repeatable)
  --provider-unregistered     Microsoft.KubernetesConfiguration starts NotRegistered: requests
                              under it get 409 MissingSubscriptionRegistration until
                              POST .../providers/Microsoft.KubernetesConfiguration/register
  --fail-kustomization NAME[=MESSAGE]
                              the kustomization with key NAME (or object name NAME) in any
                              configuration ends Ready=False, reason BuildFailed, with MESSAGE;
                              the configuration becomes Non-Compliant (repeatable)
  --throttle N                the next N ARM requests get 429 SubscriptionRequestsThrottled
                              with Retry-After: 1
  --throttle-retry-after S    the Retry-After of those 429 answers (default 1; up to 86400)
  --server-errors N           the next N ARM requests get 500 InternalServerError
  --hang N                    the next N ARM requests are received and never answered: the
                              connection stays open until the client gives up (a hung service)
  --hang-kubernetes N         the same for the next N requests to the clusters' Kubernetes APIs
  --respond STATUS            the next ARM request is answered with STATUS (200-599) and an
                              empty body, e.g. 307 (with a Location elsewhere) or 204
  --fail-operation[=MESSAGE]  the next long-running operation ends Failed
                              (ResourceOperationFailure, with a detail whose message is a JSON
                              document {"status":"Failed","statusMessage":MESSAGE}); the resource
                              ends provisioningState Failed
  --cancel-operation[=MESSAGE]
                              the next long-running operation ends Canceled (OperationCanceled,
                              MESSAGE) although its change was applied: the resource shows it,
                              provisioningState Succeeded (a delete: the resource is gone)
  --arc-offline CLUSTER       take another Arc cluster (arc1) offline (repeatable)

Generated fleet (--clusters N [--subscriptions K] [--seed S]):
  N clusters beside the default world, in the subscriptions 00000000-0000-0000-0000-000000000001
  to …-00000000000K (hex; cluster i goes to subscription i mod K), each in the resource group
  stores-<region> of its subscription. Names store-0001 … store-N (at least four digits); tags
  env (prod 70 %, staging 20 %, dev 10 %), region (westeurope, northeurope, eastus, westus2,
  southeastasia; also the location) and store (the number); about 70 % Arc-enabled
  (connectedClusters), the rest AKS (managedClusters). Each has the microsoft.flux extension
  'flux' and Microsoft's tutorial configuration 'cluster-config' (namespace cluster-config,
  kustomizations infra and apps), already Compliant at start-up — except, chosen by the seed
  and never overlapping:
    ceil(2 % of N)  without the Flux extension (and without a configuration)
    ceil(1 % of N)  Arc clusters Offline since three days (their last report is as old)
    ceil(1 % of N)  clusters whose kustomization 'apps' fails to build (BuildFailed), in any
                    configuration applied to them, for as long as the emulator runs
  The same N, K and S give the same names, kinds, places, tags and exceptions; POST
  /_emulator/reset brings the same fleet back. Generated clusters have no Kubernetes API.

Azure Resource Graph: POST /providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01
  (2019-04-01, 2021-03-01, 2022-10-01 and two previews too), authenticated like ARM and logged
  with it in /_emulator/requests. Tables Resources (clusters and Fleet Manager hubs),
  KubernetesConfigurationResources (extensions, with PascalCase property names as Resource Graph
  shows them, and fluxConfigurations) and ResourceContainers; scope: the request's
  "subscriptions", or every subscription. A Kusto subset: where, extend, project,
  project-away, order/sort by, take/limit, top, distinct, count, summarize (count, countif,
  dcount, make_list, make_set, sum, min, max, any), join (inner, innerunique, leftouter,
  leftanti), parse (simple mode); == != =~ !~ < <= > >= in in~ !in !in~ contains has
  startswith endswith and or; tolower toupper tostring toint tolong todouble tobool isempty
  isnotempty isnull isnotnull iff iif coalesce strcat strlen array_length parse_json not.
  Anything else, or an unknown column, is 400 with a detail saying what. Pages of at most
  1000 rows ($top), continued with $skipToken; 15 queries per 5 seconds per user, with
  x-ms-user-quota-remaining and x-ms-user-quota-resets-after on every answer, 429 RateLimiting
  past that. The index trails ARM by --graph-lag.

Control endpoints (same server, no authentication, not logged as ARM requests):
  GET    /_emulator/requests   every ARM request received: method, path, query, body, selected
                               headers (Authorization value redacted), status
  DELETE /_emulator/requests   forget them (and the Kubernetes requests)
  GET    /_emulator/kube-requests
                               every request to the clusters' Kubernetes APIs, in that shape
  GET    /_emulator/connections
                               TLS connections accepted, and how many carried ARM, token and
                               Kubernetes requests: {"opened", "arm", "token", "kubernetes"}
  DELETE /_emulator/connections
                               count afresh (POST /_emulator/reset does too)
  GET    /_emulator/faults     the fault and scenario state
  POST   /_emulator/faults     JSON with any of: {"throttle": N, "serverErrors": N,
                               "throttle": {"count": N, "retryAfter": S, "match": "REGEX"},
                               "hang": N or {"count": N, "match": "REGEX"},
                               "hangKubernetes": N or {"count": N, "match": "REGEX"},
                               "respond": {"status": S, "count": N, "match": "REGEX"} or null,
                               "failOperation": true|false|"message",
                               "cancelOperation": true|false|"message",
                               "failKustomization": {"NAME": "message"|null|false} or ["NAME[=MSG]"],
                               "extension": {"CLUSTER": "absent|installing|failed|installed"},
                               "arcOffline": ["CLUSTER"], "arcOnline": ["CLUSTER"],
                               "providerUnregistered": true|false, "watchHistory": N};
                               answers the fault state. "match" limits a fault to the
                               requests whose "METHOD /path" matches the regular expression
                               (e.g. "^GET .*/operations/" for the polls of an operation)
  POST   /_emulator/reset      back to the start-up world (start-up options applied again);
                               issued tokens stay valid
  GET    /_emulator/state      clusters, extensions, configurations, operations, the agent's
                               Flux objects per cluster, and the fault state

Authentication: GET ${IDENTITY_PATH}?api-version=2019-08-01&resource=R with header
X-IDENTITY-HEADER: <IDENTITY_HEADER> issues an opaque bearer token (App Service managed
identity protocol, used by DefaultAzureCredential). Every ARM request needs
"Authorization: Bearer <token>" for the resource https://127.0.0.1:PORT,
https://management.azure.com or https://management.core.windows.net.

Kubernetes API of each cluster: https://127.0.0.1:PORT/k8s/<cluster> (aks1, arc1, arc-offline,
hci1), the server URLs of $KUBECONFIG (contexts named like the clusters, current context aks1,
certificate-authority = the emulator's certificate, a bearer token per cluster; requests without
it get 401). Served: discovery (/api, /apis, /version), get, list and watch of namespaces and,
while the cluster's microsoft.flux extension is installed, of GitRepository, OCIRepository,
Bucket, HelmRepository, HelmChart (source.toolkit.fluxcd.io/v1), Kustomization
(kustomize.toolkit.fluxcd.io/v1) and HelmRelease (helm.toolkit.fluxcd.io/v2), with label and
field selectors, resourceVersion, limit/continue, bookmarks and Table output (kubectl get).
The objects are the simulated agent's, the same ones reported in Azure's statuses[]. Other
verbs get 405: the agent alone writes. Try: kubectl get kustomizations -A
`;
