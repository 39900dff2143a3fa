/**
 * Command-line words before commander sees them.
 *
 * az's repeatable multi-value flags (`-k name=a path=./a -k name=b …`, `--config k=v k=v`):
 * every token up to the next flag belongs to one occurrence. Commander has no notion of an
 * occurrence, so the tokens of each occurrence are joined into one argument before parsing and
 * split again by `splitGroup`.
 */
import { UsageError } from './errors.js';

const SEPARATOR = '\u0000';

/** `--name=value` → name and inline value; any other token → itself as the name. */
function splitFlag(token: string): { name: string; inline?: string } {
  const eq = token.startsWith('--') ? token.indexOf('=') : -1;
  return eq > 0 ? { name: token.slice(0, eq), inline: token.slice(eq + 1) } : { name: token };
}

export function groupMultiValueFlags(argv: readonly string[], flags: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const { name, inline } = splitFlag(token);
    if (!flags.has(name)) {
      out.push(token);
      continue;
    }
    const values: string[] = inline !== undefined ? [inline] : [];
    while (i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) values.push(argv[++i]!);
    if (values.length === 0) throw new UsageError(name, 'expects key=value pairs after it.', `e.g. ${name} name=apps path=./apps`);
    out.push(name);
    if (values.length > 0) out.push(values.join(SEPARATOR));
  }
  return out;
}

/** Commander argParser for a grouped flag: collects one string[] per occurrence. */
export function collectGroup(value: string, previous: string[][] | undefined): string[][] {
  return [...(previous ?? []), value.split(SEPARATOR)];
}

/** Shows a grouped value as the user typed it (for messages). */
export function showGroup(value: string): string {
  return value.split(SEPARATOR).join(' ');
}

/**
 * az's alternative spellings, rewritten to the canonical flag before parsing (commander has no
 * option aliases). Each command's help names the aliases of its flags.
 */
export const FLAG_ALIASES: Readonly<Record<string, string>> = {
  '--cluster-rp': '--cluster-resource-provider',
  '--ns': '--namespace',
  '--sync-interval': '--interval',
  '--local-ref': '--local-auth-ref',
  '--service-principal-client-id': '--sp-client-id',
  '--service-principal-tenant-id': '--sp-tenant-id',
  '--service-principal-client-secret': '--sp-client-secret',
  '--service-principal-client-certificate': '--sp-client-cert',
  '--service-principal-client-certificate-password': '--sp-cert-password',
  '--service-principal-client-certificate-send-chain': '--sp-cert-send-chain',
  '--managed-identity-client-id': '--mi-client-id',
  '--oci-layer-selector-media-type': '--oci-media-type',
  '--oci-layer-selector-operation': '--oci-operation',
  '--auto-upgrade': '--auto-upgrade-minor-version',
  '--configuration-settings': '--config',
  '--config-settings': '--config',
  '--config-protected-settings': '--config-protected',
  '--configuration-protected-settings': '--config-protected',
  '--config-settings-file': '--config-file',
  '--configuration-settings-file': '--config-file',
  '--config-protected-settings-file': '--config-protected-file',
  '--configuration-protected-settings-file': '--config-protected-file',
};

export function canonicalFlags(argv: readonly string[], aliases: Readonly<Record<string, string>> = FLAG_ALIASES): string[] {
  const end = argv.indexOf('--');
  const flags = end < 0 ? argv : argv.slice(0, end);
  const rewritten = flags.map((token) => {
    const { name, inline } = splitFlag(token);
    // Own keys only: a value such as `constructor` is a word, not a key of Object.prototype.
    const canonical = Object.hasOwn(aliases, name) ? aliases[name] : undefined;
    return canonical ? canonical + (inline !== undefined ? `=${inline}` : '') : token;
  });
  return end < 0 ? rewritten : [...rewritten, ...argv.slice(end)];
}

/** The options of one command, as far as telling a flag from a value goes. */
export interface OptionShape {
  /** Every spelling of every option (`-n`, `--name`, `--no-wait`). */
  flags: ReadonlySet<string>;
  /** Spellings of the options whose value is required (`--branch <branch>`), short and long. */
  takesValue: ReadonlySet<string>;
  /** Each spelling → the option's long spelling (`-n` → `--name`), for messages. */
  longOf: ReadonlyMap<string, string>;
  /** Each spelling → how messages name the option (`-n/--name`). */
  nameOf: ReadonlyMap<string, string>;
}

/**
 * True when `token` is a flag of the command (`-n`, `-nNAME`) or looks like one (`--anything`).
 * A word with white space in it is a value, as in az: a PEM certificate starts with dashes.
 */
function isFlag(token: string, shape: OptionShape): boolean {
  if (/\s/.test(token)) return false;
  if (token.startsWith('--')) return true;
  return /^-[A-Za-z]/.test(token) && shape.flags.has(token.slice(0, 2));
}

/**
 * An option that takes a value never takes the next flag as its value: `--branch --dry-run=arm`
 * is refused ("expected one argument", as az says), where commander would make the branch
 * `--dry-run=arm` and go on without a dry run. A value that starts with a dash is given as
 * `--flag=VALUE`; a lone `-` (standard input) is a value.
 */
export function refuseFlagsAsValues(argv: readonly string[], shape: OptionShape): void {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') return;
    if (!shape.takesValue.has(token)) continue; // `--flag=value`, `-nVALUE` and switches carry their own value
    const next = argv[i + 1];
    if (next !== undefined && next !== '-' && isFlag(next, shape)) {
      const long = shape.longOf.get(token) ?? token;
      // Only a flag of the command is named: an unknown word may be a secret meant as the value.
      const nextFlag = next.startsWith('--') ? next.split('=')[0]! : next.slice(0, 2);
      const what = shape.flags.has(nextFlag) ? `the flag ${nextFlag}` : 'a word that starts with a dash';
      throw new UsageError(shape.nameOf.get(token) ?? token, `expected one argument, but the next word is ${what}.`, `Give the value after ${token}; a value that starts with a dash is written ${long}=VALUE.`);
    }
    i++;
  }
}
