/**
 * The command tree. Every command module is light (no SDK at import time), so building the
 * whole tree costs little; heavy dependencies are imported inside the code that needs them.
 */
import { Command, CommanderError } from 'commander';
import { canonicalFlags, groupMultiValueFlags } from './core/argv.js';
import { CliError, ExitCode, exitCodeOf } from './core/errors.js';
import { createContext } from './core/context.js';
import { currentIo } from './core/run.js';
import { versionText } from './core/version.js';
import { registerExtensionCreate } from './commands/extension/create.js';
import { registerFluxConfigCreate } from './commands/flux/config/create.js';

/** Flags that take several `key=value` tokens per occurrence, as in az. */
const MULTI_VALUE_FLAGS = new Set(['-k', '--kustomization', '--config', '--config-protected', '--match-oidc-identity', '--verification-config']);

function group(parent: Command, name: string, summary: string): Command {
  return parent.command(name).summary(summary).description(summary);
}

export function buildProgram(): Command {
  const io = currentIo();
  const program = new Command('k8s-gitops')
    .description('GitOps with Flux v2 on Azure Kubernetes clusters: AKS, Azure Arc-enabled Kubernetes and AKS on Azure Local.')
    .version(versionText(), '--version', 'show the tool version and the ARM API versions it speaks')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => undefined, // reported by main() in the common error format
    });
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
            5 timed out, 6 failed, 130 interrupted.`,
  );

  const extension = group(program, 'extension', 'Install and manage cluster extensions such as microsoft.flux.');
  registerExtensionCreate(extension);

  const flux = group(program, 'flux', 'Flux v2 configurations of a cluster.');
  const config = group(flux, 'config', 'Create and manage Flux configurations.');
  registerFluxConfigCreate(config);
  group(flux, 'kustomization', 'Edit the kustomizations of a Flux configuration (commands arrive with the Azure flow).');
  group(flux, 'deployed-object', 'Objects a Flux configuration reports as deployed (commands arrive with the Azure flow).');
  group(program, 'status', 'Is GitOps working on this cluster, right now? (arrives with the Azure flow)');
  return program;
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
export async function main(argv: string[]): Promise<number> {
  const io = currentIo();
  try {
    await buildProgram().parseAsync(groupMultiValueFlags(canonicalFlags(argv), MULTI_VALUE_FLAGS), { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    const ctx = createContext(io, { color: !argv.includes('--no-color'), debug: argv.includes('--debug') });
    if (err instanceof CommanderError) {
      const code = commanderExitCode(err);
      if (code !== ExitCode.ok) ctx.log.error(err.message.replace(/^error: /, ''), 'Run the command with --help to see its arguments.');
      return code;
    }
    if (err instanceof CliError) {
      ctx.log.error(err.message, err.remedy);
    } else {
      ctx.log.error(`unexpected error: ${(err as Error)?.message ?? String(err)}`, 'Run again with --debug for details.');
      if (err instanceof Error && err.stack) ctx.log.debug(err.stack);
    }
    return exitCodeOf(err);
  }
}
