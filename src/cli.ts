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
import { registerExtensionDelete } from './commands/extension/delete.js';
import { registerExtensionList, registerExtensionShow } from './commands/extension/show.js';
import { registerExtensionUpdate } from './commands/extension/update.js';
import { registerFluxConfigCreate } from './commands/flux/config/create.js';
import { registerFluxConfigDelete } from './commands/flux/config/delete.js';
import { registerFluxConfigList } from './commands/flux/config/list.js';
import { registerFluxConfigShow } from './commands/flux/config/show.js';
import { registerFluxConfigUpdate } from './commands/flux/config/update.js';
import { registerDeployedObjectList } from './commands/flux/deployed-object/list.js';
import { registerDeployedObjectShow } from './commands/flux/deployed-object/show.js';
import { registerFluxKustomizationCreate } from './commands/flux/kustomization/create.js';
import { registerFluxKustomizationDelete } from './commands/flux/kustomization/delete.js';
import { registerFluxKustomizationList } from './commands/flux/kustomization/list.js';
import { registerFluxKustomizationShow } from './commands/flux/kustomization/show.js';
import { registerFluxKustomizationUpdate } from './commands/flux/kustomization/update.js';
import { registerStatus } from './commands/status.js';

/** Flags that take several `key=value` tokens per occurrence, as in az. */
const MULTI_VALUE_FLAGS = new Set(['--config', '--config-protected', '--match-oidc-identity', '--verification-config']);
/** `-k` is a list of key=value pairs for `flux config create|update` only (elsewhere, a name). */
const KUSTOMIZATION_FLAGS = new Set([...MULTI_VALUE_FLAGS, '-k', '--kustomization']);

function multiValueFlags(argv: readonly string[]): ReadonlySet<string> {
  const words = argv.slice(0, 3);
  return words[0] === 'flux' && words[1] === 'config' && (words[2] === 'create' || words[2] === 'update') ? KUSTOMIZATION_FLAGS : MULTI_VALUE_FLAGS;
}

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
    // Options of k8s-gitops itself (--version) only before the command: `extension create
    // --version 1.23.0` is the extension's version.
    .enablePositionalOptions()
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
  registerExtensionUpdate(extension);
  registerExtensionShow(extension);
  registerExtensionList(extension);
  registerExtensionDelete(extension);

  const flux = group(program, 'flux', 'Flux v2 configurations of a cluster.');
  const config = group(flux, 'config', 'Create and manage Flux configurations.');
  registerFluxConfigCreate(config);
  registerFluxConfigUpdate(config);
  registerFluxConfigShow(config);
  registerFluxConfigList(config);
  registerFluxConfigDelete(config);
  const kustomization = group(flux, 'kustomization', 'Create and change the kustomizations of a Flux configuration.');
  registerFluxKustomizationCreate(kustomization);
  registerFluxKustomizationUpdate(kustomization);
  registerFluxKustomizationShow(kustomization);
  registerFluxKustomizationList(kustomization);
  registerFluxKustomizationDelete(kustomization);
  const deployed = group(flux, 'deployed-object', 'The objects a Flux configuration reports as deployed, with their state.');
  registerDeployedObjectList(deployed);
  registerDeployedObjectShow(deployed);
  registerStatus(program);
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
    await buildProgram().parseAsync(groupMultiValueFlags(canonicalFlags(argv), multiValueFlags(argv)), { from: 'user' });
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
