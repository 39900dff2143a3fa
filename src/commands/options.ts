/** Arguments of the commands that talk to Azure (option definitions only: light to load). */
import { Option, type Command } from 'commander';
import { parseDurationMs } from '../model/duration.js';

export interface WaitOptionSpec {
  /** Also accept --timeout for the wait (only where az gives --timeout no other meaning). */
  timeoutAlias?: boolean;
  defaultText: string;
}

/** How long a wait may be asked to last. */
export const WAIT_BOUNDS = { min: 1000, max: 7 * 24 * 3600 * 1000 };

/**
 * Checks a wait's duration as commander reads it, so that a bad value is refused on every path
 * (a dry run, a delete that would send before waiting) before anything else happens.
 */
function waitDuration(flag: string): (value: string) => string {
  return (value) => {
    parseDurationMs(flag, value, WAIT_BOUNDS);
    return value;
  };
}

export function addWaitOptions(cmd: Command, spec: WaitOptionSpec): Command {
  cmd
    .optionsGroup('Waiting:')
    .option('--no-wait', 'return once Azure has accepted the request, and print how to follow it')
    .option('--wait-timeout <duration>', `give up waiting after this long (default ${spec.defaultText}; exit 5)`, waitDuration('--wait-timeout'));
  if (spec.timeoutAlias) cmd.addOption(new Option('--timeout <duration>', 'same as --wait-timeout').hideHelp().argParser(waitDuration('--timeout')));
  return cmd;
}

export function addPreflightOptions(cmd: Command): Command {
  return cmd
    .optionsGroup('Checks:')
    .option('--register-provider', 'register Microsoft.KubernetesConfiguration in the subscription if it is not, and wait for it')
    .option('--allow-offline', 'send the change even if the Arc cluster is offline (it waits in Azure for up to 48 hours)');
}

export function addYesOption(cmd: Command): Command {
  return cmd.option('-y, --yes', 'do not ask for confirmation');
}
