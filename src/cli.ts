/**
 * The command tree. Only the top level is built up front; the group a command line names is
 * loaded and built when it is used (so `--help` and a dry run compile only what they need),
 * and heavy dependencies are imported inside the code that runs.
 */
import { Command, CommanderError } from 'commander';
import { canonicalFlags, groupMultiValueFlags, refuseFlagsAsValues, type OptionShape } from './core/argv.js';
import { CliError, DifferencesFound, ExitCode, exitCodeOf } from './core/errors.js';
import { createContext } from './core/context.js';
import { HELP_CONFIGURATION, helpWidthOf } from './core/help.js';
import { currentIo } from './core/run.js';
import { parseChoice } from './core/suggest.js';
import { versionText } from './core/version.js';
import { terminalOf } from './core/stdio.js';


/** Flags that take several `key=value` tokens per occurrence, as in az. */
const MULTI_VALUE_FLAGS = new Set(['--config', '--config-protected', '--match-oidc-identity', '--verification-config']);
/** `-k` is a list of key=value pairs for `flux config create|update|build|diff` only (elsewhere, a name). */
const KUSTOMIZATION_FLAGS = new Set([...MULTI_VALUE_FLAGS, '-k', '--kustomization']);

/** The fleet commands' lists (`--subscriptions A B`, `--where k=v k=v`, `--verify A B`); `fleet apply` also takes -k. */
const FLEET_FLAGS = new Set([...MULTI_VALUE_FLAGS, '--subscriptions', '--where', '--verify']);
const FLEET_APPLY_FLAGS = new Set([...KUSTOMIZATION_FLAGS, ...FLEET_FLAGS]);

function multiValueFlags(argv: readonly string[]): ReadonlySet<string> {
  const words = argv.slice(0, 3);
  if (words[0] === 'fleet') return words[1] === 'apply' ? FLEET_APPLY_FLAGS : FLEET_FLAGS;
  return words[0] === 'flux' && words[1] === 'config' && ['create', 'update', 'build', 'diff'].includes(words[2] ?? '') ? KUSTOMIZATION_FLAGS : MULTI_VALUE_FLAGS;
}

const FLEET_SUMMARY = 'Many clusters at once: status from Azure Resource Graph, rollouts in waves.';

interface TopLevel {
  name: string;
  summary: string;
  /** Builds the whole command (a group and its commands, or one command) under `program`. */
  build(program: Command, argv: readonly string[]): Promise<void>;
}

const TOP_LEVEL: readonly TopLevel[] = [
  {
    name: 'extension',
    summary: 'Install and manage cluster extensions such as microsoft.flux.',
    build: async (program) => (await import('./commands/extension/index.js')).registerExtensionCommands(program.command('extension').summary(TOP_LEVEL[0]!.summary).description(TOP_LEVEL[0]!.summary)),
  },
  {
    name: 'flux',
    summary: 'Flux v2 configurations of a cluster.',
    build: async (program, argv) => (await import('./commands/flux/index.js')).registerFluxCommands(program.command('flux').summary(TOP_LEVEL[1]!.summary).description(TOP_LEVEL[1]!.summary), argv),
  },
  {
    name: 'status',
    summary: 'is GitOps working on this cluster, right now?',
    build: async (program) => void (await import('./commands/status.js')).registerStatus(program),
  },
  {
    name: 'init',
    summary: 'start a GitOps repository from a template',
    build: async (program) => void (await import('./commands/init.js')).registerInit(program),
  },
  {
    name: 'completion',
    summary: 'print a shell completion script: bash, zsh, fish or powershell',
    build: async (program) => void (await import('./commands/completion.js')).registerCompletion(program),
  },
  {
    name: 'fleet',
    summary: FLEET_SUMMARY,
    build: async (program) => (await import('./commands/fleet/index.js')).registerFleetCommands(program.command('fleet').summary(FLEET_SUMMARY).description(FLEET_SUMMARY)),
  },
];

/** The top-level word a command line is about. */
function topLevelWord(argv: readonly string[]): string | undefined {
  return argv.find((a) => !a.startsWith('-'));
}

/** az's own command names under `flux` (az k8s-configuration flux create …): the same as `flux config …`. */
const AZ_FLUX_VERBS = new Set(['create', 'update', 'show', 'list', 'delete']);

/**
 * The command line as the tree understands it: `help A B C` (or `A help B C`) is `A B C --help`,
 * and az's `flux create|update|show|list|delete` are `flux config …`, so that a pasted az
 * command works once its prefix is changed.
 */
export function rewriteCommandLine(argv: readonly string[]): string[] {
  const firstFlag = argv.findIndex((a) => a.startsWith('-'));
  let words = firstFlag < 0 ? [...argv] : argv.slice(0, firstFlag);
  const rest = firstFlag < 0 ? [] : argv.slice(firstFlag);
  const help = words.includes('help');
  if (help) words = words.filter((w) => w !== 'help');
  if (words[0] === 'flux' && words[1] !== undefined && AZ_FLUX_VERBS.has(words[1])) words = ['flux', 'config', ...words.slice(1)];
  return help ? [...words, ...rest, '--help'] : [...words, ...rest];
}

/**
 * Every option with a fixed list of values (commander's `.choices()`) takes them in any letter
 * case and, for anything else, names the nearest one: one rule for every command.
 */
function acceptChoicesLikeAz(cmd: Command): void {
  for (const option of cmd.options) {
    const choices = option.argChoices;
    const name = [option.short, option.long].filter(Boolean).join('/');
    if (choices) option.argParser((value: string) => parseChoice(name, value, choices));
  }
  cmd.commands.forEach(acceptChoicesLikeAz);
}

/** Builds the tree for a command line: only the group it names, or (all) every group. */
export async function buildProgram(argv: readonly string[] = [], options: { all?: boolean } = {}): Promise<Command> {
  const io = currentIo();
  const program = new Command('k8s-gitops')
    .description('GitOps with Flux v2 on Azure Kubernetes clusters: AKS, Azure Arc-enabled Kubernetes and AKS on Azure Local.')
    .version(versionText(), '--version', 'show the tool version and the ARM API versions it speaks')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    // Options of k8s-gitops itself (--version) only before the command: `extension create
    // --version 1.23.0` is the extension's version.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      getOutHelpWidth: () => helpWidthOf(terminalOf(1)),
      getErrHelpWidth: () => helpWidthOf(terminalOf(2)),
      // Help has no colour of its own; asking the streams would create them (see core/stdio.ts).
      getOutHasColors: () => false,
      getErrHasColors: () => false,
      outputError: () => undefined, // reported by main() in the common error format
    })
    .configureHelp(HELP_CONFIGURATION);
  program.addHelpText(
    'after',
    `
Examples:
  # Render what a configuration puts on the cluster (offline, no credentials)
  k8s-gitops flux config create -g rg -c aks1 -t managedClusters -n cluster-config \\
    --namespace cluster-config --scope cluster \\
    -u https://github.com/Azure/gitops-flux2-kustomize-helm-mt --branch main \\
    -k name=infra path=./infrastructure prune=true \\
    -k name=apps path=./apps/staging prune=true depends_on=infra --dry-run

Exit codes: 0 ok, 1 error, 2 invalid input, 3 not found, 4 not authorised,
            5 timed out, 6 failed, 7 differences (diff --exit-code), 130 interrupted.`,
  );

  const wanted = topLevelWord(argv);
  for (const top of TOP_LEVEL) {
    // The whole tree (completion) builds every command of every group: no command is "named".
    if (options.all || top.name === wanted) await top.build(program, options.all ? [] : argv);
    else program.command(top.name).summary(top.summary); // listed in help; built when used
  }
  acceptChoicesLikeAz(program);
  return program;
}

/** The command a command line runs: the deepest one its leading words name. */
function commandOf(program: Command, args: readonly string[]): Command {
  let cmd = program;
  for (const word of args) {
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) break;
    cmd = sub;
  }
  return cmd;
}

/** Which words are flags of `cmd`, and which of them take a value. */
function optionShape(cmd: Command): OptionShape {
  const flags = new Set<string>(['-h', '--help']);
  const takesValue = new Set<string>();
  const longOf = new Map<string, string>();
  const nameOf = new Map<string, string>();
  for (const option of cmd.options) {
    const spellings = [option.short, option.long].filter((s): s is string => s !== undefined);
    const name = spellings.join('/');
    for (const spelling of spellings) {
      flags.add(spelling);
      if (option.required) takesValue.add(spelling);
      longOf.set(spelling, option.long ?? spelling);
      nameOf.set(spelling, name);
    }
  }
  return { flags, takesValue, longOf, nameOf };
}

function commanderExitCode(err: CommanderError): number {
  switch (err.code) {
    case 'commander.helpDisplayed':
    case 'commander.version':
    case 'commander.help':
    case 'commander.executeSubCommandAsync':
      return ExitCode.ok;
    default:
      return ExitCode.usage;
  }
}

/** Runs the CLI and returns the exit code. */
export async function main(given: string[]): Promise<number> {
  const io = currentIo();
  // What the completion scripts call on each TAB: the words as typed, not parsed as flags.
  if (given[0] === '__complete') {
    await (await import('./completion/run.js')).runComplete(given.slice(1), (text) => io.stdout.write(text));
    return ExitCode.ok;
  }
  const argv = rewriteCommandLine(given);
  try {
    const program = await buildProgram(argv);
    const args = groupMultiValueFlags(canonicalFlags(argv), multiValueFlags(argv));
    refuseFlagsAsValues(args, optionShape(commandOf(program, args)));
    await program.parseAsync(args, { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    const ctx = createContext(io, { color: !argv.includes('--no-color'), debug: argv.includes('--debug') });
    if (err instanceof CommanderError) {
      const code = commanderExitCode(err);
      if (code !== ExitCode.ok) ctx.log.error(err.message.replace(/^error: /, ''), 'Run the command with --help to see its arguments.');
      return code;
    }
    if (err instanceof DifferencesFound) {
      // The differences are the output; the exit code says the rest.
    } else if (err instanceof CliError) {
      ctx.log.error(err.message, err.remedy);
    } else {
      ctx.log.error(`unexpected error: ${(err as Error)?.message ?? String(err)}`, 'Run again with --debug for details.');
      if (err instanceof Error && err.stack) for (const line of err.stack.split('\n')) ctx.log.debug(line);
    }
    return exitCodeOf(err);
  }
}
