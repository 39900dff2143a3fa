/**
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
    const canonical = aliases[name];
    return canonical ? canonical + (inline !== undefined ? `=${inline}` : '') : token;
  });
  return end < 0 ? rewritten : [...rewritten, ...argv.slice(end)];
}
