/**
 * `-k/--kustomization key=value …`: one occurrence per kustomization. Unlike az, booleans are
 * real booleans, unknown and repeated keys are errors, every occurrence needs a name, and the
 * health-check and post-build fields of the API are reachable.
 */
import { echo } from '../core/echo.js';
import { UsageError } from '../core/errors.js';
import { parseDurationSeconds } from './duration.js';
import type { KustomizationDef, SubstituteFrom } from './types.js';
import { parseBoolean, parseChoice, parseObjectName, setOwn, splitKeyValue } from './values.js';

export const KUSTOMIZATION_FLAG = '-k/--kustomization';

type Field = 'name' | 'path' | 'dependsOn' | 'interval' | 'retryInterval' | 'timeout' | 'prune' | 'force' | 'wait' | 'disableHealthCheck' | 'substitute' | 'substituteFrom';

/** Every accepted key (az's spellings included) and the field it sets; a Map, so `constructor` is just unknown. */
const KEYS: ReadonlyMap<string, Field> = new Map<string, Field>(Object.entries<Field>({
  name: 'name',
  path: 'path',
  depends_on: 'dependsOn',
  dependsOn: 'dependsOn',
  dependencies: 'dependsOn',
  depends: 'dependsOn',
  sync_interval: 'interval',
  syncInterval: 'interval',
  interval: 'interval',
  retry_interval: 'retryInterval',
  retryInterval: 'retryInterval',
  timeout: 'timeout',
  prune: 'prune',
  force: 'force',
  wait: 'wait',
  disable_health_check: 'disableHealthCheck',
  'disable-health-check': 'disableHealthCheck',
  disableHealthCheck: 'disableHealthCheck',
  substitute: 'substitute',
  substitute_from: 'substituteFrom',
  substituteFrom: 'substituteFrom',
}));
const REPEATABLE = new Set<Field>(['substitute', 'substituteFrom']);
const VARIABLE_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

export const KUSTOMIZATION_KEYS_HELP =
  'name (required), path, depends_on, interval (sync_interval), retry_interval, timeout, prune, force, wait, disable_health_check, substitute=VAR=value, substitute_from=ConfigMap/NAME[:optional]';

export interface ParsedKustomization {
  name: string;
  def: KustomizationDef;
}

/** Parses a `[a,b]`, `["a", "b"]` or `a,b` list of kustomization names. */
export function parseDependsOn(flag: string, value: string): string[] {
  let v = value.trim();
  if (v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
  if (v.trim() === '') return [];
  const names = v.split(',').map((s) => s.trim().replace(/^["']|["']$/g, '').trim());
  if (names.some((n) => n === '')) throw new UsageError(flag, `depends_on '${echo(value)}' has an empty name.`);
  return names.map((n) => parseObjectName(flag, n, 'kustomization name in depends_on'));
}

function parseSubstituteFrom(flag: string, value: string): SubstituteFrom {
  const m = /^([A-Za-z]+)\/([^:]+)(?::(optional))?$/.exec(value.trim());
  if (!m) {
    throw new UsageError(flag, `substitute_from '${echo(value)}' is not of the form KIND/NAME.`, 'Use e.g. substitute_from=ConfigMap/cluster-vars or substitute_from=Secret/cluster-secrets:optional.');
  }
  const kind = parseChoice(flag, m[1]!, ['ConfigMap', 'Secret'] as const);
  const name = parseObjectName(flag, m[2]!, `${kind} name in substitute_from`, 253);
  return m[3] ? { kind, name, optional: true } : { kind, name };
}

/** Parses the tokens of one `-k` occurrence. */
export function parseKustomization(tokens: readonly string[], flag = KUSTOMIZATION_FLAG): ParsedKustomization {
  const def: KustomizationDef = {};
  const seen = new Set<Field>();
  let name: string | undefined;
  if (tokens.length === 0) throw new UsageError(flag, 'expects key=value pairs.', `Keys: ${KUSTOMIZATION_KEYS_HELP}.`);
  for (const token of tokens) {
    const [key, value] = splitKeyValue(flag, token);
    const field = KEYS.get(key);
    if (!field) {
      throw new UsageError(flag, `unknown key '${echo(key)}'.`, `Keys: ${KUSTOMIZATION_KEYS_HELP}.`);
    }
    if (seen.has(field) && !REPEATABLE.has(field)) {
      throw new UsageError(flag, `'${echo(key)}' is given twice in one kustomization.`);
    }
    if ((field === 'wait' && seen.has('disableHealthCheck')) || (field === 'disableHealthCheck' && seen.has('wait'))) {
      throw new UsageError(flag, 'wait and disable_health_check set the same property; give one of them.');
    }
    seen.add(field);
    switch (field) {
      case 'name':
        name = parseObjectName(flag, value, 'kustomization name');
        break;
      case 'path':
        def.path = value;
        break;
      case 'dependsOn':
        def.dependsOn = parseDependsOn(flag, value);
        break;
      case 'interval':
        def.syncIntervalInSeconds = parseDurationSeconds(`${flag} ${key}`, value);
        break;
      case 'retryInterval':
        def.retryIntervalInSeconds = parseDurationSeconds(`${flag} ${key}`, value);
        break;
      case 'timeout':
        def.timeoutInSeconds = parseDurationSeconds(`${flag} ${key}`, value);
        break;
      case 'prune':
        def.prune = parseBoolean(`${flag} prune`, value);
        break;
      case 'force':
        def.force = parseBoolean(`${flag} force`, value);
        break;
      case 'wait':
        def.wait = parseBoolean(`${flag} wait`, value);
        break;
      case 'disableHealthCheck':
        def.wait = !parseBoolean(`${flag} ${key}`, value);
        break;
      case 'substitute': {
        const [variable, substitution] = splitKeyValue(flag, value, 'substitute=VAR=value');
        if (!VARIABLE_NAME.test(variable)) {
          throw new UsageError(flag, `'${echo(variable)}' is not a valid substitution variable name.`, 'Use letters, digits and underscores, not starting with a digit.');
        }
        def.postBuild ??= {};
        def.postBuild.substitute ??= {};
        if (Object.hasOwn(def.postBuild.substitute, variable)) throw new UsageError(flag, `variable '${variable}' is substituted twice.`);
        setOwn(def.postBuild.substitute, variable, substitution);
        break;
      }
      case 'substituteFrom': {
        const ref = parseSubstituteFrom(flag, value);
        def.postBuild ??= {};
        def.postBuild.substituteFrom ??= [];
        def.postBuild.substituteFrom.push(ref);
        break;
      }
    }
  }
  if (!name) {
    throw new UsageError(flag, `every kustomization needs a name: '${echo(tokens.join(' '))}' has none.`, 'Add name=NAME, e.g. -k name=apps path=./apps.');
  }
  return { name, def };
}

/**
 * Cross-kustomization rules: unique names, `<config>-<kustomization>` within the 63 characters
 * of a Kubernetes label value, dependencies that exist, and no dependency cycles.
 */
export function checkKustomizations(configName: string, kustomizations: Map<string, KustomizationDef>, flag = KUSTOMIZATION_FLAG): void {
  for (const [name, def] of kustomizations) {
    parseObjectName(flag, name, 'kustomization name');
    for (const dep of def.dependsOn ?? []) parseObjectName(flag, dep, 'kustomization name in depends_on');
    const objectName = `${configName}-${name}`;
    if (objectName.length > 63) {
      throw new UsageError(flag, `the Flux Kustomization for '${name}' would be named '${objectName}' (${objectName.length} characters); Kubernetes allows 63.`, `Shorten the configuration or kustomization name so that together they have at most 62 characters.`);
    }
    for (const dep of def.dependsOn ?? []) {
      if (dep === name) throw new UsageError(flag, `kustomization '${name}' depends on itself.`);
      if (!kustomizations.has(dep)) {
        throw new UsageError(flag, `kustomization '${name}' depends on '${dep}', which is not a kustomization of this configuration.`, `Kustomizations defined: ${[...kustomizations.keys()].join(', ')}.`);
      }
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name].join(' → ');
      throw new UsageError(flag, `dependency cycle: ${cycle}.`);
    }
    state.set(name, 'visiting');
    for (const dep of kustomizations.get(name)?.dependsOn ?? []) visit(dep, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of kustomizations.keys()) visit(name, []);
}

/** Collects `-k` occurrences into an ordered map, refusing duplicate names. */
export function parseKustomizations(groups: readonly (readonly string[])[], flag = KUSTOMIZATION_FLAG): Map<string, KustomizationDef> {
  const out = new Map<string, KustomizationDef>();
  for (const tokens of groups) {
    const { name, def } = parseKustomization(tokens, flag);
    if (out.has(name)) throw new UsageError(flag, `two kustomizations are named '${name}'.`, 'Kustomization names must be unique within a configuration.');
    out.set(name, def);
  }
  return out;
}
