/**
 * `flux config suspend` and `flux config resume`: set the configuration's `suspend` through
 * Azure with a PATCH of that one property, checked and followed like every write (pre-flight,
 * the operation to its end, or --no-wait). A configuration already in the asked state is left
 * alone: nothing is sent and the command succeeds, so pipelines can run it again.
 */
import type { Command } from 'commander';
import type { Context } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import type { AzureOptions } from '../../azure.js';
import { addClusterOptions } from '../../common.js';
import { addPreflightOptions, addWaitOptions } from '../../options.js';
import { CONFIG_COLUMNS } from './columns.js';

type Options = AzureOptions & { name?: string };

interface Verb {
  verb: 'suspend' | 'resume';
  suspend: boolean;
  summary: string;
  description: string;
  example: string;
}

const VERBS: Verb[] = [
  {
    verb: 'suspend',
    suspend: true,
    summary: 'stop reconciling a Flux configuration for a while',
    description:
      "Suspend a Flux configuration: Azure's agent suspends its source and kustomizations, so new commits are not applied and drift is not corrected (reconciliations already running finish). Objects the repository creates (HelmReleases, nested Kustomizations) keep reconciling. Nothing is sent when it is already suspended.",
    example: `  # Stop applying changes, e.g. during an incident
  k8s-gitops flux config suspend -g rg -c aks1 -t managedClusters -n cluster-config`,
  },
  {
    verb: 'resume',
    suspend: false,
    summary: 'reconcile a suspended Flux configuration again',
    description: 'Resume a suspended Flux configuration: its source and kustomizations reconcile again, from the newest revision. Nothing is sent when it is not suspended.',
    example: `  # Apply changes again, and wait until it is compliant
  k8s-gitops flux config resume -g rg -c aks1 -t managedClusters -n cluster-config
  k8s-gitops status -g rg -c aks1 -t managedClusters -n cluster-config --wait-for compliant`,
  },
];

function register(parent: Command, v: Verb): Command {
  const cmd = parent.command(v.verb).summary(v.summary).description(v.description);
  addClusterOptions(cmd);
  cmd.optionsGroup('Configuration Arguments:').requiredOption('-n, --name <name>', 'name of the configuration');
  addWaitOptions(cmd, { defaultText: '10m' });
  addPreflightOptions(cmd);
  addGlobalOptions(cmd);
  cmd.addHelpText('after', `\nExamples:\n${v.example}`);
  cmd.action(action<Options>((options, ctx) => run(options, ctx, v)));
  return cmd;
}

export function registerFluxConfigSuspend(parent: Command): Command {
  return register(parent, VERBS[0]!);
}

export function registerFluxConfigResume(parent: Command): Command {
  return register(parent, VERBS[1]!);
}

async function run(options: Options, ctx: Context, v: Verb): Promise<CommandOutput> {
  const [{ prepareConfigurationWrite }, { flatten, FLUX_API_VERSION }, { configurationFromResource }, { fluxConfigurationPatchBody, holdsConfiguration, isEmptyPatch }, { parseObjectName }, { followWrite, reportUnchanged }] = await Promise.all([
    import('../../azure.js'),
    import('../../../azure/resources.js'),
    import('../../../model/file.js'),
    import('../../../model/patch.js'),
    import('../../../model/values.js'),
    import('../../outcome.js'),
  ]);
  const name = parseObjectName('-n/--name', options.name ?? '', 'configuration name');
  const { s, path, resource } = await prepareConfigurationWrite(ctx, options, name);
  const current = configurationFromResource(name, resource);
  const next = { ...current, suspend: v.suspend };
  const patch = fluxConfigurationPatchBody(current, next);
  const show = `k8s-gitops flux config show ${s.clusterArgs} -n ${name}`;
  if (isEmptyPatch(patch)) {
    reportUnchanged(ctx, `Flux configuration '${name}'`, v.suspend ? 'already is suspended' : 'is not suspended', resource, show);
    return { data: flatten(resource), columns: CONFIG_COLUMNS };
  }
  const accepted = await s.arm.request('PATCH', path, { apiVersion: FLUX_API_VERSION, body: patch.body });
  const { done, resource: settled } = await followWrite(ctx, s, accepted, options, { phase: `${v.suspend ? 'Suspending' : 'Resuming'} Flux configuration ${name}`, followUp: show, defaultTimeoutMs: 10 * 60_000 }, {
    what: `Flux configuration '${name}'`,
    path,
    apiVersion: FLUX_API_VERSION,
    landed: (r) => r !== undefined && holdsConfiguration(configurationFromResource(name, r), next),
    next: {
      landed: `Follow it with: k8s-gitops status ${s.clusterArgs} -n ${name} --watch`,
      failed: `See why with: ${show}; once the cause is fixed, run this again.`,
      missing: 'Run this again.',
    },
  });
  const final = settled ?? (done ? (await s.arm.request<import('../../../azure/resources.js').ArmResource>('GET', path, { apiVersion: FLUX_API_VERSION })).body : (accepted.body as import('../../../azure/resources.js').ArmResource));
  return { data: flatten(final), columns: CONFIG_COLUMNS };
}
