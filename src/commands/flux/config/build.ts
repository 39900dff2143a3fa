/**
 * `flux config build`: what each kustomization of a configuration would apply, built offline
 * from a local checkout. The configuration is given as for `create` (its flags, or -f), and
 * the create command's own option definitions are reused, so the two never drift apart.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { collectGroup } from '../../../core/argv.js';
import type { Context, GlobalOptions } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import { FLAG, type FluxConfigFlags } from '../../../model/flags.js';
import { KUSTOMIZATION_KEYS_HELP } from '../../../model/kustomization.js';
import { AZURE_DEFAULTS } from '../../../model/types.js';
import type { VariableSources } from '../../../build/substitute.js';
import { registerFluxConfigCreate } from './create.js';

type Options = FluxConfigFlags &
  GlobalOptions & {
    source?: string;
    substituteFromFile?: string[];
    strictSubstitute?: boolean;
  };

/** Arguments of create that address the cluster: accepted (hidden) so a create line can be reused. */
const CLUSTER_ATTRIBUTES = new Set(['resourceGroup', 'clusterName', 'clusterType', 'clusterResourceProvider', 'clusterId', 'subscription', 'cloud', 'resourceManagerEndpoint']);

const EXAMPLES = `
Examples:
  # Everything each kustomization of a configuration file applies, from the checkout in .
  k8s-gitops flux config build -f clusters/staging.yaml --source .

  # One kustomization, as a v1 List
  k8s-gitops flux config build -f clusters/staging.yaml --source . -k apps -o json

  # What lands where, as a table
  k8s-gitops flux config build -f clusters/production.yaml --source . -o table

  # A create command line works as it is (the cluster arguments are not needed, and ignored)
  k8s-gitops flux config build -n cluster-config --namespace cluster-config \\
    -u https://github.com/Azure/gitops-flux2-kustomize-helm-mt --branch main \\
    -k name=infra path=./infrastructure prune=true --source .

A path with a kustomization file is built by kustomize: the kustomize binary on PATH, else
'kubectl kustomize'. A plain directory (Flux generates its kustomization) and the post-build
substitution need neither. Nothing is fetched from the network.

Kustomization keys (-k, as for create):
  ${KUSTOMIZATION_KEYS_HELP}`;

export function registerFluxConfigBuild(parent: Command): Command {
  const cmd = parent
    .command('build')
    .summary('render, offline, what each kustomization applies from a local checkout')
    .description(
      'Build, offline, the manifests each kustomization of a Flux configuration would apply, from a local checkout of its source: ' +
        "kustomize (or Flux's generated kustomization for a plain directory), the Kustomization's patches, post-build substitution and Flux's owner labels. " +
        'One YAML stream per kustomization; -o json gives a v1 List.',
    );
  // The configuration arguments of `flux config create`, taken from its own definition.
  const create = registerFluxConfigCreate(new Command('create'));
  const own = new Set<string>(Object.keys(FLAG));
  for (const option of create.options) {
    const attribute = option.attributeName();
    if (attribute === 'kustomization') continue;
    if (CLUSTER_ATTRIBUTES.has(attribute)) cmd.addOption(option.hideHelp());
    else if (own.has(attribute)) cmd.addOption(option);
  }
  cmd
    .optionsGroup('Build Arguments:')
    .addOption(
      new Option('-k, --kustomization <key=value...>', 'a kustomization as for create (-k name=apps path=./apps …), or a NAME alone to build only that one (repeatable)').argParser(collectGroup),
    )
    .option('--source <dir>', 'the local checkout of the source (default: the current directory)')
    .option('--substitute-from-file <path>', "ConfigMaps and Secrets (YAML) that substitute_from names, in place of the cluster's (repeatable)", (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--strict-substitute', 'a variable without a value or a default is an error, as with the extension setting kustomize-controller.strict-substitution-mode');
  addGlobalOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput> {
  const [{ UsageError }, { buildFluxConfiguration }, { parseObjectName }, { readFileFor }, { redactor }, { buildKustomizations }, { readVariableSources, SubstitutionError }, { toList, toYamlStream }] =
    await Promise.all([
      import('../../../core/errors.js'),
      import('../../../model/flux-config.js'),
      import('../../../model/values.js'),
      import('../../../model/input.js'),
      import('../../../core/redact.js'),
      import('../../../build/build.js'),
      import('../../../build/substitute.js'),
      import('../../../render/kube.js'),
    ]);

  // -k NAME picks kustomizations; -k key=value … defines them, as for create.
  const definitions: string[][] = [];
  const only: string[] = [];
  for (const group of options.kustomization ?? []) {
    if (group.length === 1 && !group[0]!.includes('=')) only.push(parseObjectName(FLAG.kustomization, group[0]!, 'kustomization name'));
    else definitions.push(group);
  }
  const source = resolve(options.source ?? '.');
  let isDir = false;
  try {
    isDir = statSync(source).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new UsageError('--source', `'${options.source ?? '.'}' is not a directory.`, 'Give the local checkout of the repository the configuration points at, e.g. --source .');

  const { config, warnings } = buildFluxConfiguration({ ...options, ...(definitions.length > 0 ? { kustomization: definitions } : { kustomization: undefined }) }, ctx.input);
  for (const w of warnings) ctx.log.warn(w);
  for (const name of only) {
    if (!config.kustomizations.has(name)) {
      throw new UsageError(FLAG.kustomization, `the configuration has no kustomization '${name}'.`, `Its kustomizations: ${[...config.kustomizations.keys()].join(', ')}.`);
    }
  }

  const variables: VariableSources = new Map();
  for (const file of options.substituteFromFile ?? []) {
    try {
      readVariableSources(readFileFor('--substitute-from-file', file, ctx.input), file, config.namespace ?? AZURE_DEFAULTS.namespace, variables, (secret) => redactor.add(secret));
    } catch (err) {
      if (err instanceof SubstitutionError) throw new UsageError('--substitute-from-file', err.message);
      throw err;
    }
  }

  const built = await buildKustomizations({
    config,
    source,
    ...(only.length > 0 ? { only } : {}),
    variables,
    strict: Boolean(options.strictSubstitute),
    env: ctx.env,
    verbose: (m) => ctx.log.verbose(m),
  });

  // Secret values substituted into manifests are replaced in the data, so the YAML stays valid.
  for (const k of built) k.objects = k.objects.map((o) => redactStrings(o, (s) => redactor.redact(s)));
  const header = (k: (typeof built)[number], what: string): string => `Kustomization ${k.namespace}/${k.name} (${k.key}): ${k.path}, ${what}`;
  const rendered = built.map((k) => k.objects.map((object, i) => (i === 0 ? { object, comment: header(k, `${k.objects.length} object${k.objects.length === 1 ? '' : 's'}`) } : { object })));
  const yaml = built.map((k, i) => (k.objects.length === 0 ? `# ${header(k, 'nothing to apply')}\n` : toYamlStream(rendered[i]!, { version: '1.1' }))).join('');
  const rows = built.flatMap((k) => k.objects.map((o) => ({ kustomization: k.key, kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name })));
  return {
    data: toList(rendered.flat()),
    rows,
    yaml,
    defaultFormat: 'yaml',
    columns: [
      { header: 'Kustomization', value: (r) => r.kustomization },
      { header: 'Kind', value: (r) => r.kind },
      { header: 'Namespace', value: (r) => r.namespace },
      { header: 'Name', value: (r) => r.name },
    ],
  };
}

function redactStrings<T>(value: T, redact: (s: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactStrings(v, redact)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactStrings(v, redact)])) as T;
  return value;
}
