/** `init [DIR]`: a GitOps repository from one of the templates, ready for `flux config create -f`. */
import type { Command } from 'commander';
import type { Context, GlobalOptions } from '../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../core/run.js';

interface Options extends GlobalOptions {
  template?: string;
  name?: string;
  namespace?: string;
  url?: string;
  branch?: string;
  force?: boolean;
}

export const DEFAULT_TEMPLATE = 'multi-env';
/** Clearly not a repository anyone has (example.com is reserved), yet a URL the model accepts. */
export const PLACEHOLDER_URL = 'https://example.com/CHANGE-ME/gitops.git';

const EXAMPLES = `
Examples:
  # Microsoft's multi-environment layout in a new folder
  k8s-gitops init my-gitops-repo

  # One plain-YAML app, for a repository you have already pushed
  k8s-gitops init my-app-repo --template minimal -u https://github.com/contoso/my-app-repo --branch main

  # Your own names, in the current (empty) directory
  k8s-gitops init --name team-a --namespace team-a

Templates:
  multi-env  infrastructure/ (namespaces, a HelmRepository, a HelmRelease), apps/base with the
             overlays apps/staging and apps/production, clusters/staging.yaml and
             clusters/production.yaml (default)
  minimal    one plain-YAML app in apps/ and clusters/default.yaml

Nothing is fetched: the files come with k8s-gitops. Each clusters/*.yaml file is a Flux
configuration for 'k8s-gitops flux config create -f'.`;

export function registerInit(program: Command): Command {
  const cmd = program
    .command('init')
    .summary('start a GitOps repository from a template')
    .description(
      "Write a GitOps repository into DIR (default: the current directory): Microsoft's multi-environment layout, or a minimal one, with a Flux configuration file per environment that 'flux config create -f' accepts. DIR must be empty (a .git folder is fine) unless --force.",
    )
    .argument('[dir]', 'the directory to write into (created if missing)')
    .optionsGroup('Repository Arguments:')
    .option('--template <template>', `the layout: ${DEFAULT_TEMPLATE} (default) or minimal`)
    .option('-n, --name <name>', 'name of the Flux configuration (default: cluster-config)')
    .option('--namespace <namespace>', "namespace of the configuration and of the repository's Flux objects (default: cluster-config)")
    .option('-u, --url <url>', `the repository's clone URL (default: the placeholder ${PLACEHOLDER_URL})`)
    .option('--branch <branch>', 'branch the clusters follow (default: main)')
    .option('--force', 'write into a directory that is not empty: files that differ are overwritten (and listed), others are kept');
  addGlobalOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action((dir: string | undefined, options: Options) => action<Options>((o, ctx) => run(dir, o, ctx))(options));
  return cmd;
}

async function run(dirArg: string | undefined, options: Options, ctx: Context): Promise<CommandOutput> {
  const [{ writeRepository }, { listTemplates, renderTemplate }, { parseChoice, parseDnsLabel, parseObjectName }, { UsageError }, { checkConfigurationFiles, isConfigurationFile }] = await Promise.all([
    import('../scaffold/write.js'),
    import('../scaffold/templates.js'),
    import('../model/values.js'),
    import('../core/errors.js'),
    import('../scaffold/check.js'),
  ]);
  const template = parseChoice('--template', options.template ?? DEFAULT_TEMPLATE, listTemplates());
  const name = parseObjectName('-n/--name', options.name ?? 'cluster-config', 'configuration name');
  const namespace = parseDnsLabel('--namespace', options.namespace ?? 'cluster-config', 'namespace');
  const branch = options.branch ?? 'main';
  if (branch.trim() === '' || /[\s\p{Cc}]/u.test(branch)) throw new UsageError('--branch', 'a branch name has no spaces or control characters and is not empty.', 'e.g. --branch main');
  const url = options.url ?? PLACEHOLDER_URL;

  const files = renderTemplate(template, { name, namespace, url, branch });
  // Every configuration file goes through the model create -f uses: a bad --url fails here.
  checkConfigurationFiles(files, ctx.input);

  const dir = dirArg ?? '.';
  const written = writeRepository(dir, files, Boolean(options.force));
  const changed = written.filter((f) => f.action !== 'unchanged');
  const configs = files.filter((f) => isConfigurationFile(f.path)).map((f) => f.path);
  // The environment to try first: staging (or the only one), not production.
  const first = configs.find((c) => !/production/.test(c)) ?? configs[0];
  if (url === PLACEHOLDER_URL) {
    ctx.log.warn(`${configs.join(' and ')} ${configs.length === 1 ? 'points' : 'point'} at a placeholder URL (${PLACEHOLDER_URL}): push the repository and put its URL there (or run init again with --url and --force).`);
  }
  const cd = dir === '.' ? '' : `cd ${/^[\w./-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, `'\\''`)}'`} && `;
  ctx.log.info(
    [
      `${changed.length === 0 ? 'Nothing to change' : `Wrote the ${template} template`} in ${dir === '.' ? 'the current directory' : dir}. Next:`,
      `  ${cd}k8s-gitops flux config build -f ${first} --source .`,
      `  k8s-gitops flux config create -g RESOURCE_GROUP -c CLUSTER -t managedClusters -f ${first}`,
    ].join('\n'),
  );
  return {
    data: { directory: dir, template, files: written },
    rows: written,
    defaultFormat: 'table',
    columns: [
      { header: 'Action', value: (r) => r.action },
      { header: 'File', value: (r) => r.file },
    ],
  };
}
