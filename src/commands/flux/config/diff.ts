/**
 * `flux config diff`: what `flux config update` with the same flags (or `-f`) would change, field
 * by field, and sends nothing. The flags are update's own — taken from the update command as it
 * is built, so diff accepts exactly what update accepts — and so are the rules: the flags are
 * laid over the configuration in Azure by buildFluxConfiguration, and the change is the PATCH
 * fluxConfigurationPatchBody computes (see model/config-diff.ts). With `--cluster` the Flux
 * objects Azure's agent makes from the result are also compared with the live ones, spec by
 * spec. Exit 0 whatever the difference, unless `--exit-code`: then 7 when there is one.
 */
import { Command } from 'commander';
import type { Context } from '../../../core/context.js';
import { action, type CommandOutput } from '../../../core/run.js';
import type { FluxConfigFlags } from '../../../model/flags.js';
import type { AzureOptions } from '../../azure.js';
import { addKubeOptions, type KubeFlags } from './cluster.js';
import { registerFluxConfigUpdate } from './update.js';

type Options = FluxConfigFlags & AzureOptions & KubeFlags & { cluster?: boolean; exitCode?: boolean };

/** Update's arguments that are about sending and waiting: a diff sends nothing (and says when update would refuse a stale file). */
const WRITE_ONLY_FLAGS = new Set(['--yes', '--no-wait', '--wait-timeout', '--register-provider', '--allow-offline', '--dry-run', '--overwrite']);

export function registerFluxConfigDiff(parent: Command): Command {
  const update = registerFluxConfigUpdate(new Command('update-flags'));
  const cmd = parent
    .command('diff')
    .summary('show what flux config update would change, and send nothing')
    .description(
      "Show what 'flux config update' with the same flags (or -f) would change in Azure, field by field: added, changed, removed. Protected settings and keys are never returned by Azure: the diff names the ones that would be sent again, never a value. With --cluster, also compare the Flux objects Azure's agent makes from the result with the live ones in the cluster, spec by spec (what controllers own — status, defaults — is left out). Nothing is sent. Exit 0, or with --exit-code 7 when there are differences.",
    );
  for (const option of update.options) {
    if (!WRITE_ONLY_FLAGS.has(option.long ?? '')) cmd.addOption(option);
  }
  cmd
    .optionsGroup('Diff Arguments:')
    .option('--cluster', "also compare the Flux objects with the live ones in the cluster (needs a kubeconfig)")
    .option('--exit-code', 'exit 7 when there are differences (0 when there are none)');
  addKubeOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  # What would following another branch change?
  k8s-gitops flux config diff -g rg -c aks1 -t managedClusters -n cluster-config --branch release

  # In CI: exit 7 when Azure is not what the pipeline asks for (0 when it is)
  k8s-gitops flux config diff -g rg -c aks1 -t managedClusters -n cluster-config --branch main --exit-code -o none

  # Has anyone changed the Flux objects in the cluster behind Azure's back?
  k8s-gitops flux config diff -g rg -c aks1 -t managedClusters -n cluster-config --cluster`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput | void> {
  const [{ prepareRead, getFluxConfiguration }, { configurationFromResource }, { assembleFluxConfiguration, parseFluxConfigInput }, { configurationDiff }, { fluxConfigurationPatchBody, changedSince }, { parseClusterFlags }, { DifferencesFound }, { formatOutput, parseOutputFormat }, view] =
    await Promise.all([
      import('../../azure.js'),
      import('../../../model/file.js'),
      import('../../../model/flux-config.js'),
      import('../../../model/config-diff.js'),
      import('../../../model/patch.js'),
      import('../../../model/cluster.js'),
      import('../../../core/errors.js'),
      import('../../../core/output.js'),
      import('./diff-view.js'),
    ]);
  // As update: every flag and the file are checked before anything is read from Azure.
  parseClusterFlags(options, true);
  const input = parseFluxConfigInput(options, ctx.input, { update: true });
  const name = input.name!;
  const format = options.output !== undefined ? parseOutputFormat(options.output) : 'table';
  const s = await prepareRead(ctx, options);
  const { resource } = await getFluxConfiguration(s, name, `Create it with: k8s-gitops flux config create ${s.clusterArgs} -n ${name} …`);
  const current = configurationFromResource(name, resource);
  const { config: next, warnings } = assembleFluxConfiguration(input, { existing: current });
  for (const w of warnings) ctx.log.warn(w);
  const azure = configurationDiff(current, next);
  for (const field of azure.ignored) ctx.log.warn(`${field} differs, but can only be set when a configuration is created; update leaves it as it is.`);
  const stale = input.file ? changedSince(input.file, resource, fluxConfigurationPatchBody(current, next)) : undefined;
  if (stale) {
    ctx.log.warn(
      `'${name}' changed in Azure at ${stale.liveAt}, after the file was written (${stale.fileAt}): update -f would refuse to set ${stale.fields.length > 0 ? stale.fields.join(', ') : 'it'} back to the file's values unless given --overwrite.`,
    );
  }
  const report: import('./diff-view.js').DiffReport = { name, clusterName: s.cluster.clusterName, azure };

  if (options.cluster) {
    const [{ findFluxExtension }, { renderClusterObjects }, { clusterDrift }, { CONFIG_NAME_LABEL, CONFIG_NAMESPACE_LABEL }, { connectCluster, kubeFlags }] = await Promise.all([
      import('../../../azure/flux-extension.js'),
      import('../../../render/flux.js'),
      import('../../../kube/drift.js'),
      import('../../../kube/configuration.js'),
      import('./cluster.js'),
    ]);
    // The agent makes Kustomizations impersonate flux-applier unless the extension turns multi-tenancy off.
    const settings = (await findFluxExtension(s))?.properties?.configurationSettings as Record<string, unknown> | undefined;
    const multiTenancy = String(settings?.['multiTenancy.enforce'] ?? 'true').toLowerCase() !== 'false';
    const rendered = renderClusterObjects(next, { multiTenancy }).map((r) => r.object);
    const session = await connectCluster(ctx, kubeFlags(options), s.cluster.clusterName, 'diff --cluster', 'Without cluster access, leave --cluster out: the diff against Azure needs none.');
    const namespace = next.namespace ?? 'default';
    const live = await session.run(() => session.kube.list({ namespace }));
    const owned = (o: { metadata?: { labels?: Record<string, string>; namespace?: string } }): boolean =>
      o.metadata?.labels?.[CONFIG_NAME_LABEL] === name && (o.metadata.labels[CONFIG_NAMESPACE_LABEL] ?? o.metadata.namespace) === namespace;
    report.live = { context: session.kube.contextName, objects: clusterDrift(rendered, live, owned) };
  }

  const found = view.differs(report);
  if (format === 'table' && options.query === undefined) ctx.stdout.write(view.renderDiff(report, ctx.color.stdout));
  else ctx.stdout.write(formatOutput(view.changeList(report), { format, ...(options.query !== undefined ? { query: options.query } : {}), color: ctx.color.stdout.level > 0 }));
  if (found && options.exitCode) throw new DifferencesFound('differences found.');
}
