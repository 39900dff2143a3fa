/**
 * `flux config update`: the flags (and `-f`) laid over the configuration in Azure, checked as a
 * whole (az skips that), and sent as a PATCH of what actually changes. When Azure already holds
 * what is asked, nothing is sent and the command succeeds (pipelines re-run); a change of source
 * kind asks first; --dry-run=arm prints the PATCH instead of sending it.
 */
import { Option, type Command } from 'commander';
import { collectGroup } from '../../../core/argv.js';
import type { Context } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import type { FluxConfigFlags } from '../../../model/flags.js';
import { KUSTOMIZATION_KEYS_HELP } from '../../../model/kustomization.js';
import type { AzureOptions } from '../../azure.js';
import { addArmDryRunOption, addClusterOptions, type DryRunRequest } from '../../common.js';
import { addPreflightOptions, addWaitOptions, addYesOption } from '../../options.js';
import { CONFIG_COLUMNS } from './columns.js';

type Options = FluxConfigFlags & AzureOptions & { dryRun?: 'arm'; overwrite?: boolean };

const bool = (flag: string, text: string): Option => new Option(`${flag} [bool]`, text).preset(true);
const secretNote = 'VALUE, @FILE or -';

export function registerFluxConfigUpdate(parent: Command): Command {
  const cmd = parent
    .command('update')
    .summary('change a Flux configuration')
    .description('Change a Flux configuration: only what differs from the configuration in Azure is sent. -k changes only the keys it names of that kustomization (and adds a new one). Protected settings (keys, passwords) cannot be read back: give them again when a change needs them.');
  addClusterOptions(cmd, { required: true });
  cmd
    .optionsGroup('Configuration Arguments:')
    .requiredOption('-n, --name <name>', 'name of the configuration')
    .option('-f, --file <path>', "the whole desired configuration (YAML or JSON, e.g. edited 'show -o yaml' output, or - for standard input); flags override it")
    .option('--overwrite', 'send -f even if the configuration changed in Azure after the file was written')
    .option('--kind <kind>', 'change the source kind: git, bucket, azblob or oci (asks first)')
    .option('-u, --url <url>', 'URL of the source')
    .option('--interval <duration>', 'how often the source is fetched (alias: --sync-interval)')
    .option('--timeout <duration>', 'timeout of one fetch')
    .addOption(bool('--suspend', 'suspend (true) or resume (false) reconciliation'))
    .option('-k, --kustomization <key=value...>', 'change or add a kustomization (repeatable)', collectGroup)
    .option('--local-auth-ref <secret>', 'an existing Secret with the source credentials (alias: --local-ref)')
    .optionsGroup('Git Repository Arguments:')
    .option('--branch <branch>', 'branch to follow')
    .option('--tag <tag>', 'tag to follow (git or oci)')
    .option('--semver <range>', 'semver range (git or oci)')
    .option('--commit <sha>', 'commit to pin')
    .option('--ssh-private-key <key>', `SSH private key; ${secretNote}`)
    .option('--ssh-private-key-file <path>', 'file with the SSH private key')
    .option('--https-user <user>', 'HTTPS user name')
    .option('--https-key <key>', `HTTPS password or token; ${secretNote}`)
    .option('--https-ca-cert <cert>', 'CA certificate (PEM or base64, @FILE or -)')
    .option('--https-ca-cert-file <path>', 'file with the CA certificate')
    .option('--known-hosts <hosts>', 'known_hosts for SSH (text or base64, @FILE or -)')
    .option('--known-hosts-file <path>', 'known_hosts file')
    .option('--provider <provider>', 'generic, azure or github')
    .optionsGroup('Bucket Arguments:')
    .option('--bucket-name <name>', 'bucket name')
    .option('--bucket-access-key <key>', 'access key id')
    .option('--bucket-secret-key <key>', `secret key; ${secretNote}`)
    .addOption(bool('--bucket-insecure', 'plain HTTP to the bucket'))
    .optionsGroup('Azure Blob Arguments:')
    .option('--container-name <name>', 'blob container')
    .option('--account-key <key>', `storage account key; ${secretNote}`)
    .option('--sas-token <token>', `SAS token; ${secretNote}`)
    .option('--sp-client-id <id>', 'service principal client id')
    .option('--sp-tenant-id <id>', 'service principal tenant id')
    .option('--sp-client-secret <secret>', `service principal secret; ${secretNote}`)
    .option('--sp-client-cert <cert>', `service principal certificate; ${secretNote}`)
    .option('--sp-cert-password <password>', `certificate password; ${secretNote}`)
    .addOption(bool('--sp-cert-send-chain', 'send the certificate chain'))
    .option('--mi-client-id <id>', 'managed identity client id')
    .optionsGroup('OCI Repository Arguments:')
    .option('--digest <digest>', 'artifact digest (sha256:…)')
    .option('--oci-media-type <type>', 'layer media type')
    .option('--oci-operation <op>', 'extract or copy')
    .option('--tls-ca-certificate <cert>', 'registry CA certificate')
    .option('--tls-client-certificate <cert>', 'client certificate')
    .option('--tls-private-key <key>', `client key; ${secretNote}`)
    .option('--service-account-name <name>', 'service account for pulling')
    .addOption(bool('--use-workload-identity', 'pull with workload identity'))
    .addOption(bool('--oci-insecure', 'plain HTTP to the registry'))
    .option('--verification-provider <provider>', 'cosign or notation')
    .option('--match-oidc-identity <issuer=R,subject=R...>', 'keyless verification identity (repeatable)', collectGroup)
    .option('--verification-config <name=key...>', 'trusted public keys (repeatable)', collectGroup);
  addYesOption(cmd);
  addWaitOptions(cmd, { defaultText: '10m' });
  addPreflightOptions(cmd);
  addArmDryRunOption(cmd, 'reads the configuration from Azure and prints the PATCH that would be sent');
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  # Follow another branch and prune in one kustomization
  k8s-gitops flux config update -g rg -c aks1 -t managedClusters -n cluster-config \\
    --branch release -k name=apps prune=true

  # Suspend reconciliation
  k8s-gitops flux config update -g rg -c aks1 -t managedClusters -n cluster-config --suspend

  # The PATCH a change would send, without sending it
  k8s-gitops flux config update -g rg -c aks1 -t managedClusters -n cluster-config \\
    --branch release --dry-run=arm

  # Edit the whole configuration as a file
  k8s-gitops flux config show -g rg -c aks1 -t managedClusters -n cluster-config -o yaml > c.yaml
  k8s-gitops flux config update -g rg -c aks1 -t managedClusters -n cluster-config -f c.yaml

Kustomization keys: ${KUSTOMIZATION_KEYS_HELP}`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput | void> {
  const [{ prepareConfigurationWrite }, { flatten, FLUX_API_VERSION }, { configurationFromResource }, { assembleFluxConfiguration, parseFluxConfigInput }, { fluxConfigurationPatchBody, holdsConfiguration, isEmptyPatch, changedSince }, { parseClusterFlags }, { confirm }, { followWrite, reportUnchanged }, { maskSecrets }, { CliError }] =
    await Promise.all([
      import('../../azure.js'),
      import('../../../azure/resources.js'),
      import('../../../model/file.js'),
      import('../../../model/flux-config.js'),
      import('../../../model/patch.js'),
      import('../../../model/cluster.js'),
      import('../../../core/prompt.js'),
      import('../../outcome.js'),
      import('../../dry-run.js'),
      import('../../../core/errors.js'),
    ]);
  // Every flag and the file are checked before anything is read from Azure or sent to it.
  parseClusterFlags(options, true);
  const input = parseFluxConfigInput(options, ctx.input, { update: true });
  const name = input.name!;
  const dryRun = options.dryRun === 'arm';
  const { s, path, resource } = await prepareConfigurationWrite(ctx, options, name, (session) => `Create it with: k8s-gitops flux config create ${session.clusterArgs} -n ${name} …`);
  const current = configurationFromResource(name, resource);
  const { config: next, warnings } = assembleFluxConfiguration(input, { existing: current });
  for (const w of warnings) ctx.log.warn(w);
  const patch = fluxConfigurationPatchBody(current, next);
  // A file shown earlier must not silently undo what someone changed in Azure since.
  const stale = input.file ? changedSince(input.file, resource, patch) : undefined;
  if (stale && !options.overwrite) {
    throw new CliError(
      `Flux configuration '${name}' changed in Azure at ${stale.liveAt}, after ${options.file === '-' ? 'the file on standard input' : `'${options.file}'`} was written (its systemData.lastModifiedAt is ${stale.fileAt}); updating from the file would set ${stale.fields.length > 0 ? `these fields back to its values: ${stale.fields.join(', ')}` : 'it back to the file'}.`,
      `Show it again (k8s-gitops flux config show ${s.clusterArgs} -n ${name} -o yaml), make your change there, or add --overwrite to send the file as it is.`,
    );
  }
  for (const field of patch.ignored) ctx.log.warn(`${field} can only be set when a configuration is created; it is not changed.`);
  const show = `k8s-gitops flux config show ${s.clusterArgs} -n ${name}`;
  if (isEmptyPatch(patch)) {
    reportUnchanged(ctx, `Flux configuration '${name}'`, `already is as asked${dryRun ? '; no request would be sent' : ''}`, resource, show);
    return dryRun ? undefined : { data: flatten(resource), columns: CONFIG_COLUMNS };
  }
  const body = patch.body!;
  if (dryRun) {
    const request: DryRunRequest = { method: 'PATCH', path, apiVersion: FLUX_API_VERSION, body: maskSecrets(body) };
    return { data: request, defaultFormat: 'json' };
  }
  if (patch.kindChanged && !(await confirm(ctx, `Change the source of '${name}' from ${current.sourceKind} to ${next.sourceKind}? The cluster fetches from the new source at once.`, options.yes))) {
    ctx.log.info('Nothing was changed.');
    return;
  }
  const props = body.properties;
  const sourceChanged = patch.kindChanged || Object.keys(props).some((k) => ['gitRepository', 'bucket'].includes(k) && 'url' in (props[k] as object));
  if (sourceChanged && !props.configurationProtectedSettings && ['GitRepository', 'Bucket'].includes(next.sourceKind)) {
    ctx.log.warn('the source changed but no key or password was given: Azure keeps the protected settings given before. Give them again (e.g. --https-key, --ssh-private-key) if the new source needs others.');
  }
  ctx.log.verbose(`PATCH of: ${Object.keys(props).join(', ')}`);
  const accepted = await s.arm.request('PATCH', path, { apiVersion: FLUX_API_VERSION, body });
  const { done, resource: settled } = await followWrite(ctx, s, accepted, options, { phase: `Updating Flux configuration ${name}`, followUp: show, defaultTimeoutMs: 10 * 60_000 }, {
    what: `Flux configuration '${name}'`,
    path,
    apiVersion: FLUX_API_VERSION,
    landed: (r) => r !== undefined && holdsConfiguration(configurationFromResource(name, r), next, { exceptSecrets: true }),
    next: {
      landed: `Watch it reconcile with: k8s-gitops status ${s.clusterArgs} -n ${name} --watch`,
      failed: `See why with: ${show}; once the cause is fixed, run this update again, or delete the configuration and create it again.`,
      missing: 'Run this update again.',
    },
  });
  const final = settled ?? (done ? (await s.arm.request<import('../../../azure/resources.js').ArmResource>('GET', path, { apiVersion: FLUX_API_VERSION })).body : (accepted.body as import('../../../azure/resources.js').ArmResource));
  return { data: flatten(final), columns: CONFIG_COLUMNS };
}
