/**
 * Azure's naming rules for every name that becomes a segment of a request path. A value is
 * checked against the rule of its resource type when it is parsed (so the error names the flag),
 * and the paths themselves are built from checked segments only (src/azure/resources.ts).
 */
import { echo } from '../core/echo.js';
import { UsageError } from '../core/errors.js';
import type { TargetType } from './cluster.js';

export interface NameRule {
  /** What the name is, for messages ("resource group name"). */
  what: string;
  test(value: string): boolean;
  /** The rule in words, for messages, help and the README. */
  rule: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Letters and digits of any script, `_ - . ( )`, as ARM's resourceGroupName pattern (`^[-\w._()]+$`). */
const RESOURCE_GROUP = /^[\p{L}\p{Mn}\p{Nd}_\-.()]+$/u;
/** AKS: the managedClusters swagger pattern. */
const AKS_CLUSTER = /^[a-zA-Z0-9](?:[-_a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;
/** Arc and AKS on Azure Local: AKS's rule, periods allowed too. */
const HYBRID_CLUSTER = /^[a-zA-Z0-9](?:[-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;
/** Fleet Manager hubs: the fleets swagger pattern, lower case only. */
const FLEET_HUB = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const EXTENSION = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/i;

const length = (value: string): number => [...value].length;

export const SUBSCRIPTION_RULE: NameRule = {
  what: 'subscription id',
  test: (v) => GUID.test(v),
  rule: 'A subscription id is a GUID: 8-4-4-4-12 hexadecimal digits.',
};

export const RESOURCE_GROUP_RULE: NameRule = {
  what: 'resource group name',
  test: (v) => length(v) >= 1 && length(v) <= 90 && RESOURCE_GROUP.test(v) && !v.endsWith('.'),
  rule: 'Resource group names have 1-90 letters, digits, underscores, hyphens, periods and parentheses, and do not end in a period.',
};

const AKS_RULE: NameRule = {
  what: 'AKS cluster name',
  test: (v) => AKS_CLUSTER.test(v),
  rule: 'AKS cluster names have 1-63 letters, digits, underscores and hyphens, and start and end with a letter or digit.',
};

const HYBRID_RULE = (what: string): NameRule => ({
  what,
  test: (v) => HYBRID_CLUSTER.test(v),
  rule: `${what[0]!.toUpperCase()}${what.slice(1)}s have 1-63 letters, digits, underscores, hyphens and periods, and start and end with a letter or digit.`,
});

export const CLUSTER_NAME_RULES: Record<TargetType, NameRule> = {
  managedClusters: AKS_RULE,
  connectedClusters: HYBRID_RULE('Arc cluster name'),
  provisionedClusters: HYBRID_RULE('AKS on Azure Local cluster name'),
  fleets: {
    what: 'Fleet Manager hub name',
    test: (v) => FLEET_HUB.test(v),
    rule: 'Fleet Manager hub names have 1-63 lower-case letters, digits and hyphens, and start and end with a letter or digit.',
  },
};

export const EXTENSION_NAME_RULE: NameRule = {
  what: 'extension name',
  test: (v) => EXTENSION.test(v),
  rule: 'Extension names have 1-253 letters, digits, hyphens and periods, and start and end with a letter or digit.',
};

/** Checks `value` against `rule`; the error names `flag`, quotes the value safely and states the rule. */
export function parseName(flag: string, value: string, rule: NameRule): string {
  if (!rule.test(value)) {
    throw new UsageError(flag, value === '' ? `the ${rule.what} is empty.` : `'${echo(value)}' is not a valid ${rule.what}.`, rule.rule);
  }
  return value;
}

export function parseSubscriptionId(flag: string, value: string): string {
  return parseName(flag, value, SUBSCRIPTION_RULE).toLowerCase();
}

export function parseResourceGroup(flag: string, value: string): string {
  return parseName(flag, value, RESOURCE_GROUP_RULE);
}

export function parseClusterName(flag: string, value: string, type: TargetType): string {
  return parseName(flag, value, CLUSTER_NAME_RULES[type]);
}

export function parseExtensionName(flag: string, value: string): string {
  return parseName(flag, value, EXTENSION_NAME_RULE);
}
