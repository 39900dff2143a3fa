/** `flux config create`: a Flux configuration from az-style flags or a file. */
import { Option, type Command } from 'commander';
import { collectGroup } from '../../../core/argv.js';
import { markRequired } from '../../../core/help.js';
import type { Context, GlobalOptions } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import type { FluxInstallFlags } from '../../../model/extension.js';
import type { FluxConfigFlags } from '../../../model/flags.js';
import { KUSTOMIZATION_KEYS_HELP } from '../../../model/kustomization.js';
import { addClusterOptions, addDryRunOption, type DryRunRequest } from '../../common.js';
import type { AzureOptions } from '../../azure.js';
import { addPreflightOptions, addWaitOptions } from '../../options.js';
import { CONFIG_COLUMNS } from './columns.js';

type Options = FluxConfigFlags & FluxInstallFlags & AzureOptions & GlobalOptions & { dryRun?: 'cluster' | 'arm' };

const bool = (flag: string, text: string): Option => new Option(`${flag} [bool]`, text).preset(true);
const secretNote = 'a secret: VALUE (warns: shell history), @FILE or - (stdin)';

const EXAMPLES = `
Examples:
  # Microsoft's tutorial repository, rendered offline: what lands on the cluster
  k8s-gitops flux config create -g rg -c aks1 -t managedClusters -n cluster-config \\
    --namespace cluster-config --scope cluster \\
    -u https://github.com/Azure/gitops-flux2-kustomize-helm-mt --branch main \\
    -k name=infra path=./infrastructure prune=true \\
    -k name=apps path=./apps/staging prune=true depends_on=infra --dry-run

  # The same configuration as the ARM request that would be sent
  k8s-gitops flux config create -g rg -c arc1 -t connectedClusters -n cluster-config \\
    -u https://github.com/Azure/gitops-flux2-kustomize-helm-mt --branch main \\
    -k name=infra path=./infrastructure --dry-run=arm

  # An OCI artifact with post-build substitution
  k8s-gitops flux config create -g rg -c aks1 -t managedClusters -n podinfo --kind oci \\
    -u oci://ghcr.io/stefanprodan/manifests/podinfo --tag latest \\
    -k name=app path=./ substitute=cluster_env=prod --dry-run

  # From a file (the ARM shape, or what 'flux config show -o yaml' prints); flags override it
  k8s-gitops flux config create -g rg -c aks1 -t managedClusters -f cluster-config.yaml --dry-run

  # A source only: a file whose kustomizations are {} (no -k: the root is applied as kustomization-1)
  k8s-gitops flux config create -g rg -c aks1 -t managedClusters -f source-only.yaml --dry-run

Kustomization keys (-k, repeatable, one kustomization per occurrence):
  ${KUSTOMIZATION_KEYS_HELP}
  Durations are Go durations (90s, 10m, 1h30m); booleans are true or false.`;

export function registerFluxConfigCreate(parent: Command): Command {
  const cmd = parent
    .command('create')
    .summary('create a Flux configuration (installs the Flux extension first if needed)')
    .description('Create a Flux configuration on a cluster: a source (git, bucket, azblob or oci) and its kustomizations. With --dry-run, nothing is sent: the objects that will land on the cluster, or the ARM request, are printed.');
  addClusterOptions(cmd);
  cmd
    .optionsGroup('Configuration Arguments:')
    .addOption(markRequired(new Option('-n, --name <name>', 'name of the configuration (lower case, at most 63 characters)'), 'required unless -f names it'))
    .option('-f, --file <path>', 'a FluxConfiguration in YAML or JSON (ARM shape or the shape show prints), or - for standard input; flags override it')
    .option('--kind <kind>', 'source kind: git (default), bucket, azblob or oci')
    .option('-u, --url <url>', 'URL of the source')
    .option('--scope <scope>', 'cluster (default) or namespace')
    .option('--namespace <namespace>', "namespace of the configuration's objects (default: default; alias: --ns)")
    .option('--interval <duration>', 'how often the source is fetched (Azure default 10m; alias: --sync-interval)')
    .option('--timeout <duration>', 'timeout of one fetch (Azure default 10m)')
    .addOption(bool('--suspend', 'suspend reconciliation (true/false)'))
    .option('-k, --kustomization <key=value...>', 'a kustomization, e.g. -k name=apps path=./apps prune=true depends_on=infra (repeatable)', collectGroup)
    .option('--local-auth-ref <secret>', 'an existing Secret in the configuration namespace with the source credentials (alias: --local-ref)')
    .addOption(bool('--wait-for-reconciliation', 'the operation waits until the kustomizations are reconciled'))
    .option('--reconciliation-wait-duration <duration>', 'how long that wait may last (e.g. 30m)')
    .optionsGroup('Git Repository Arguments:')
    .option('--branch <branch>', 'branch to follow')
    .option('--tag <tag>', 'tag to follow (git or oci)')
    .option('--semver <range>', 'semver range of tags to follow (git or oci)')
    .option('--commit <sha>', 'commit to pin (may be combined with --branch)')
    .option('--ssh-private-key <key>', `SSH private key, as base64 or the key file's text; ${secretNote}`)
    .option('--ssh-private-key-file <path>', 'file with the SSH private key')
    .option('--https-user <user>', 'HTTPS user name')
    .option('--https-key <key>', `HTTPS password or token; ${secretNote}`)
    .option('--https-ca-cert <cert>', 'CA certificate (PEM text or base64, @FILE or -)')
    .option('--https-ca-cert-file <path>', 'file with the CA certificate')
    .option('--known-hosts <hosts>', 'known_hosts for SSH (text or base64, @FILE or -)')
    .option('--known-hosts-file <path>', 'known_hosts file for SSH')
    .option('--provider <provider>', 'authentication provider: generic, azure (Azure DevOps workload identity) or github')
    .optionsGroup('Bucket Arguments:')
    .option('--bucket-name <name>', 'name of the S3-compatible bucket')
    .option('--bucket-access-key <key>', 'access key id')
    .option('--bucket-secret-key <key>', `secret key; ${secretNote}`)
    .addOption(bool('--bucket-insecure', 'plain HTTP to the bucket (default: true only for http:// URLs)'))
    .optionsGroup('Azure Blob Arguments:')
    .option('--container-name <name>', 'blob container')
    .option('--account-key <key>', `storage account key; ${secretNote}`)
    .option('--sas-token <token>', `SAS token; ${secretNote}`)
    .option('--sp-client-id <id>', 'service principal client id (alias: --service-principal-client-id)')
    .option('--sp-tenant-id <id>', 'service principal tenant id (alias: --service-principal-tenant-id)')
    .option('--sp-client-secret <secret>', `service principal secret; ${secretNote}`)
    .option('--sp-client-cert <cert>', `service principal certificate (PEM or base64); ${secretNote}`)
    .option('--sp-cert-password <password>', `password of that certificate; ${secretNote}`)
    .addOption(bool('--sp-cert-send-chain', 'send the certificate chain'))
    .option('--mi-client-id <id>', 'managed identity client id (alias: --managed-identity-client-id)')
    .optionsGroup('OCI Repository Arguments:')
    .option('--digest <digest>', 'artifact digest to pin (sha256:…)')
    .option('--oci-media-type <type>', 'media type of the layer to use (alias: --oci-layer-selector-media-type)')
    .option('--oci-operation <op>', 'extract (default) or copy the layer (alias: --oci-layer-selector-operation)')
    .option('--tls-ca-certificate <cert>', 'CA certificate of the registry (PEM or base64, @FILE or -)')
    .option('--tls-client-certificate <cert>', 'client certificate for mTLS (PEM or base64, @FILE or -)')
    .option('--tls-private-key <key>', `private key of the client certificate; ${secretNote}`)
    .option('--service-account-name <name>', 'service account used to pull from the registry')
    .addOption(bool('--use-workload-identity', 'pull with workload identity'))
    .addOption(bool('--oci-insecure', 'plain HTTP to the registry'))
    .option('--verification-provider <provider>', 'verify the artifact: cosign or notation')
    .option('--match-oidc-identity <issuer=R,subject=R...>', 'keyless verification identity (repeatable)', collectGroup)
    .option('--verification-config <name=key...>', 'trusted public keys, NAME=KEY or NAME=@FILE (repeatable)', collectGroup);
  cmd
    .optionsGroup('Flux Extension Arguments (installed first if missing):')
    .option('--extension-version <version>', 'install this version, with no minor auto-upgrades (env FLUX_EXTENSION_VERSION)')
    .option('--extension-release-train <train>', 'install from this release train, e.g. Stable or Preview (env FLUX_EXTENSION_RELEASETRAIN)');
  addWaitOptions(cmd, { defaultText: '10m; the extension install, if needed, 20m' });
  addPreflightOptions(cmd);
  addDryRunOption(cmd, 'the FluxConfig and Flux objects that will land on the cluster');
  addGlobalOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput> {
  // The model, renderer and YAML library load here, not when the command tree is built.
  const [{ parseClusterFlags }, { buildFluxConfiguration }, { FLUX_API_VERSION, fluxConfigurationPutBody }, { renderClusterObjects }, { toList }, { maskSecrets, resourcePath }, { fluxInstallFlags }] = await Promise.all([
    import('../../../model/cluster.js'),
    import('../../../model/flux-config.js'),
    import('../../../model/arm.js'),
    import('../../../render/flux.js'),
    import('../../../render/kube.js'),
    import('../../dry-run.js'),
    import('../../../model/extension.js'),
  ]);
  const dryRun = options.dryRun;
  const cluster = parseClusterFlags(options, dryRun !== 'cluster');
  const { config, warnings } = buildFluxConfiguration(options, ctx.input);
  const install = fluxInstallFlags(options, ctx.env);
  for (const w of warnings) ctx.log.warn(w);
  if (dryRun === undefined) return createInAzure(config, install, options, ctx);
  if (dryRun === 'arm') {
    const request: DryRunRequest = {
      method: 'PUT',
      path: resourcePath(ctx, cluster!, 'fluxConfigurations', config.name),
      apiVersion: FLUX_API_VERSION,
      body: maskSecrets(fluxConfigurationPutBody(config)),
    };
    return { data: request, defaultFormat: 'json' };
  }
  const rendered = renderClusterObjects(config);
  return {
    data: toList(rendered),
    rows: rendered.map((r) => r.object),
    documents: rendered,
    defaultFormat: 'yaml',
    columns: [
      { header: 'Kind', value: (o) => o.kind },
      { header: 'Namespace', value: (o) => (o.metadata as { namespace?: string }).namespace },
      { header: 'Name', value: (o) => (o.metadata as { name: string }).name },
    ],
  };
}

type FluxConfiguration = import('../../../model/types.js').FluxConfiguration;
type ArmResource = import('../../../azure/resources.js').ArmResource;

async function createInAzure(config: FluxConfiguration, install: ReturnType<typeof import('../../../model/extension.js').fluxInstallFlags>, options: Options, ctx: Context): Promise<CommandOutput> {
  const [{ prepareWrite, clock, waitTimeoutMs }, { ensureFluxExtension, findFluxExtension }, { fluxConfigPath, flatten, FLUX_API_VERSION, EXTENSION_API_VERSION }, { fluxConfigurationPutBody }, { configurationFromResource }, { holdsConfiguration }, { extensionHolds }, { followWrite, settleWrite }] =
    await Promise.all([
      import('../../azure.js'),
      import('../../../azure/flux-extension.js'),
      import('../../../azure/resources.js'),
      import('../../../model/arm.js'),
      import('../../../model/file.js'),
      import('../../../model/patch.js'),
      import('../../../model/extension.js'),
      import('../../outcome.js'),
    ]);
  const name = config.name;
  // The checks, the configuration and the Flux extension are read at once.
  const target = { path: (session: import('../../../azure/session.js').Session) => fluxConfigPath(session.subscriptionId, session.cluster, name), apiVersion: FLUX_API_VERSION };
  const { target: existing, alongside: fluxExtension, ...s } = await prepareWrite(ctx, options, target, findFluxExtension);
  const path = target.path(s);
  const show = `k8s-gitops flux config show ${s.clusterArgs} -n ${name}`;
  const status = `k8s-gitops status ${s.clusterArgs} -n ${name}`;
  const recreate = `once the cause is fixed, delete it (k8s-gitops flux config delete ${s.clusterArgs} -n ${name} --yes) and run this create again`;
  // Where to look next, after the data: the live view, and the gate a pipeline would use.
  const after = [`Watch it reconcile with: ${status} --watch`, `Or wait for it in a pipeline: ${status} --wait-for compliant --timeout 15m`];
  const holds = (resource: ArmResource | undefined): boolean => resource !== undefined && holdsConfiguration(configurationFromResource(name, resource), config, { exceptSecrets: true });

  if (existing!.status !== 404) return createAgain(ctx, s.cluster.clusterName, name, existing!.body, holds(existing!.body), { show, recreate, update: `k8s-gitops flux config update ${s.clusterArgs} -n ${name}`, after });

  await ensureFluxExtension(ctx, s, {
    clock,
    timeoutMs: waitTimeoutMs(options, 20 * 60_000),
    found: fluxExtension ?? null,
    install: install.flags,
    installSources: install.sources,
    onEnded: (ended, { extension, path: extensionPath }) =>
      settleWrite(ctx, s, ended, {
        what: `the Flux extension '${extension.name}'`,
        path: extensionPath,
        apiVersion: EXTENSION_API_VERSION,
        landed: (resource) => resource !== undefined && extensionHolds(resource, extension),
        next: {
          landed: `Configuration '${name}' is created next.`,
          failed: `See why with: k8s-gitops extension show ${s.clusterArgs} -n ${extension.name}; once the cause is fixed, remove it (k8s-gitops extension delete ${s.clusterArgs} -n ${extension.name} --yes) and run this create again.`,
          missing: 'Run this create again: it installs the extension first.',
        },
      }),
  });
  const accepted = await s.arm.request('PUT', path, { apiVersion: FLUX_API_VERSION, body: fluxConfigurationPutBody(config) });
  const { done, resource } = await followWrite(ctx, s, accepted, options, { phase: `Creating Flux configuration ${name}`, followUp: show, defaultTimeoutMs: 10 * 60_000 }, {
    what: `Flux configuration '${name}'`,
    path,
    apiVersion: FLUX_API_VERSION,
    landed: holds,
    next: { landed: `Watch it reconcile with: ${status} --watch`, failed: `See why with: ${show}; ${recreate}.`, missing: 'Run this create again.' },
  });
  const final = resource ?? (done ? (await s.arm.request<ArmResource>('GET', path, { apiVersion: FLUX_API_VERSION })).body : (accepted.body as ArmResource));
  return { data: flatten(final), columns: CONFIG_COLUMNS, ...(done && !resource ? { after: ['Created. The cluster\'s agent reconciles it now.', ...after] } : {}) };
}

/**
 * `create` of a configuration that exists: nothing to do when it already is as asked (a re-run
 * passes), a Failed one says why and how to start over, any other is refused (create never
 * replaces), saying what Azure holds and how to change it.
 */
async function createAgain(
  ctx: Context,
  clusterName: string,
  name: string,
  resource: ArmResource,
  asAsked: boolean,
  next: { show: string; recreate: string; update: string; after: string[] },
): Promise<CommandOutput> {
  const [{ flatten }, { CliError, FailedError }] = await Promise.all([import('../../../azure/resources.js'), import('../../../core/errors.js')]);
  const state = String(resource.properties?.provisioningState ?? 'Unknown');
  const reason = typeof resource.properties?.errorMessage === 'string' && resource.properties.errorMessage !== '' ? `: ${resource.properties.errorMessage.split('\n')[0]}` : '';
  if (state === 'Failed') {
    throw new FailedError(`Flux configuration '${name}' already exists on cluster '${clusterName}', in state Failed${reason}; create does not replace it.`, `See why with: ${next.show}; ${next.recreate}.`);
  }
  if (asAsked) {
    ctx.log.info(`nothing to change: Flux configuration '${name}' already exists on cluster '${clusterName}' as asked (${state}).`);
    return { data: flatten(resource), columns: CONFIG_COLUMNS, after: next.after };
  }
  throw new CliError(
    `Flux configuration '${name}' already exists on cluster '${clusterName}' (${state}) and differs from what was asked; create does not replace it.`,
    `Change it with: ${next.update} and the same flags or -f (or delete it first).`,
  );
}
