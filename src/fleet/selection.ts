/**
 * Which clusters a fleet command is about: flags → a typed Selection, or a usage error naming
 * the flag. Every filter narrows: subscriptions (the scope), resource groups, tags, cluster
 * types, a file of cluster ids, a Resource Graph query. A tag named twice takes either value
 * (`--where env=prod env=staging`); different tags must all match. No network, no SDK.
 */
import { echo } from '../core/echo.js';
import { UsageError } from '../core/errors.js';
import { CLUSTER_TYPES, parseClusterId, type ClusterType } from '../model/cluster.js';
import { readFileFor, type InputReader } from '../model/input.js';
import { parseResourceGroup, SUBSCRIPTION_RULE } from '../model/names.js';
import { parseChoice } from '../model/values.js';

export interface SelectionFlags {
  /** `--subscriptions ID …` (grouped occurrences; ids, names from the Azure CLI profile, or comma lists). */
  subscriptions?: string[][];
  /** `-g` (repeatable). */
  resourceGroup?: string[];
  /** `--where TAG=VALUE …` (grouped occurrences). */
  where?: string[][];
  /** `-t` (repeatable, or a comma list). */
  clusterType?: string[];
  /** `--clusters FILE`: cluster ids, one a line. */
  clusters?: string;
  /** `--graph-query KQL` or `@FILE`. */
  graphQuery?: string;
}

export interface Selection {
  /** The scope; undefined = every subscription the caller can read. */
  subscriptions?: string[];
  resourceGroups: string[];
  /** Tag name → the values it may have (either). */
  tags: [string, string[]][];
  clusterTypes: ClusterType[];
  /** Lower-cased cluster ids of `--clusters FILE`. */
  ids?: Set<string>;
  graphQuery?: string;
}

/** ARM tag names: up to 512 characters, none of < > % & \ ? / (values: up to 256). */
const TAG_NAME_FORBIDDEN = /[<>%&\\?/]/;
const CONTROL = /[\u0000-\u001f\u007f]/;
/** A file of cluster ids holds at most this many (the whole fleet limit of Fleet Manager, ten times over). */
export const MAX_CLUSTER_IDS = 10_000;

const values = (groups: string[][] | string[] | undefined): string[] =>
  (groups ?? [])
    .flat()
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');

export function parseSelection(flags: SelectionFlags, input: InputReader, resolveSubscription: (value: string) => string): Selection {
  const selection: Selection = { resourceGroups: [], tags: [], clusterTypes: [...CLUSTER_TYPES] };

  if (flags.subscriptions !== undefined) {
    const ids = values(flags.subscriptions).map((v) => (SUBSCRIPTION_RULE.test(v) ? v.toLowerCase() : resolveSubscription(v)));
    if (ids.length === 0) throw new UsageError('--subscriptions', 'names no subscription.', 'Give subscription ids (or names from az account list), e.g. --subscriptions 00000000-0000-0000-0000-000000000001.');
    selection.subscriptions = [...new Set(ids)];
  }

  for (const rg of values(flags.resourceGroup).map((v) => parseResourceGroup('-g/--resource-group', v))) {
    if (!selection.resourceGroups.some((r) => r.toLowerCase() === rg.toLowerCase())) selection.resourceGroups.push(rg);
  }

  const tags = new Map<string, string[]>();
  for (const token of (flags.where ?? []).flat()) {
    const at = token.indexOf('=');
    if (at <= 0) throw new UsageError('--where', `'${echo(token)}' is not of the form TAG=VALUE.`, 'e.g. --where env=prod region=westeurope');
    const name = token.slice(0, at);
    const value = token.slice(at + 1);
    if (name.length > 512 || TAG_NAME_FORBIDDEN.test(name) || CONTROL.test(name)) {
      throw new UsageError('--where', `'${echo(name)}' is not a tag name Azure allows.`, 'Tag names have at most 512 characters and none of < > % & \\ ? /.');
    }
    if (value.length > 256 || CONTROL.test(value)) throw new UsageError('--where', `the value of tag '${echo(name)}' is not one Azure allows.`, 'Tag values have at most 256 characters and no control characters.');
    const list = tags.get(name) ?? [];
    if (!list.includes(value)) list.push(value);
    tags.set(name, list);
  }
  selection.tags = [...tags.entries()];

  const types = values(flags.clusterType);
  if (types.length > 0) selection.clusterTypes = [...new Set(types.map((t) => parseChoice('-t/--cluster-type', t, CLUSTER_TYPES)))];

  if (flags.clusters !== undefined) selection.ids = readClusterIds(flags.clusters, input);

  if (flags.graphQuery !== undefined) {
    const text = flags.graphQuery.startsWith('@') && flags.graphQuery.length > 1 ? readFileFor('--graph-query', flags.graphQuery.slice(1), input) : flags.graphQuery;
    if (text.trim() === '') throw new UsageError('--graph-query', 'is empty.', "Give a Resource Graph query that returns the clusters' id column, e.g. \"Resources | where properties.distribution == 'k3s'\".");
    if (text.length > 64 * 1024) throw new UsageError('--graph-query', `is ${text.length} characters long; at most 65536 are sent.`);
    selection.graphQuery = text.trim();
  }
  return selection;
}

/** `--clusters FILE`: one ARM cluster id a line; blank lines and `#` comments are skipped. */
export function readClusterIds(path: string, input: InputReader): Set<string> {
  const text = readFileFor('--clusters', path, input);
  const ids = new Set<string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    let parsed;
    try {
      parsed = parseClusterId(line);
    } catch (err) {
      // The id's own fault, as --cluster-id would say it, against the file and line.
      const why = err instanceof UsageError && err.flag ? err.message.slice(err.flag.length + 2) : 'not a cluster resource id.';
      throw new UsageError('--clusters', `${echo(path)} line ${i + 1}: ${why}`, 'One id a line: /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Kubernetes/connectedClusters/NAME (or managedClusters, provisionedClusters).');
    }
    ids.add(`/subscriptions/${parsed.subscriptionId}/resourcegroups/${parsed.resourceGroup}/providers/${parsed.clusterRp}/${parsed.clusterType}/${parsed.clusterName}`.toLowerCase());
    if (ids.size > MAX_CLUSTER_IDS) throw new UsageError('--clusters', `${echo(path)} names more than ${MAX_CLUSTER_IDS} clusters.`, 'Split the fleet into several runs, or select it with --subscriptions, -g and --where.');
  });
  if (ids.size === 0) throw new UsageError('--clusters', `${echo(path)} names no cluster.`);
  return ids;
}

/** What the selection says about itself, for messages ("in 4 subscriptions, tagged env=prod"). */
export function describeSelection(s: Selection): string {
  const parts: string[] = [];
  parts.push(s.subscriptions ? `in ${s.subscriptions.length} subscription${s.subscriptions.length === 1 ? '' : 's'}` : 'in every subscription you can read');
  if (s.resourceGroups.length > 0) parts.push(`resource group ${s.resourceGroups.join(' or ')}`);
  for (const [name, vals] of s.tags) parts.push(`tagged ${name}=${vals.join(' or ')}`);
  if (s.clusterTypes.length < CLUSTER_TYPES.length) parts.push(s.clusterTypes.join(' or '));
  if (s.ids) parts.push(`listed in the --clusters file (${s.ids.size})`);
  if (s.graphQuery) parts.push('returned by --graph-query');
  return parts.join(', ');
}
