/**
 * The flags of `flux kustomization create|update` (az's spellings): one kustomization of an
 * existing Flux configuration, addressed by `-n CONFIG -k NAME`. Only the fields given on the
 * command line end up in the definition, so an update never sends what the user did not touch
 * (az re-enables health checks on every update; this does not). Values go through the same
 * parsers as `-k key=value` of `flux config create`, so the two accept exactly the same things.
 */
import { UsageError } from '../core/errors.js';
import { parseDurationSeconds } from './duration.js';
import { checkKustomizations, parseDependsOn, parseKustomization } from './kustomization.js';
import { mergeDiff, type PatchResult } from './patch.js';
import { prune } from './arm.js';
import type { KustomizationDef, SubstituteFrom } from './types.js';
import { parseBoolean, parseObjectName, splitKeyValue } from './values.js';

export const CONFIG_NAME_FLAG = '-n/--name';
export const KUSTOMIZATION_NAME_FLAG = '-k/--kustomization-name';
export const DEPENDS_ON_FLAG = '--depends-on';
const INTERVAL_FLAG = '--interval/--sync-interval';
const SUBSTITUTE_FLAG = '--substitute';
const SUBSTITUTE_FROM_FLAG = '--substitute-from';

/** The raw flags as commander hands them over. */
export interface KustomizationFlags {
  /** -n: the Flux configuration. */
  name?: string;
  /** -k: the kustomization. */
  kustomizationName?: string;
  path?: string;
  /** --depends-on and its az aliases; each occurrence may hold several names. */
  dependsOn?: string[];
  dependencies?: string[];
  depends?: string[];
  interval?: string;
  retryInterval?: string;
  timeout?: string;
  prune?: string | boolean;
  force?: string | boolean;
  disableHealthCheck?: string | boolean;
  substitute?: string[];
  substituteFrom?: string[];
}

/** Which configuration and kustomization a command addresses. */
export interface KustomizationTarget {
  configName: string;
  name: string;
}

export interface KustomizationRequest extends KustomizationTarget {
  /** Only the fields given; `dependsOn: []` means "no dependencies" (clears them on update). */
  def: KustomizationDef;
}

/** The fields a definition can carry, in the order they are sent and described. */
export const DEFINITION_FLAGS =
  '--path, --depends-on, --interval, --retry-interval, --timeout, --prune, --force, --disable-health-check, --substitute, --substitute-from';

/**
 * `-n CONFIG -k NAME`: both valid object names, and `<config>-<name>` (the Flux Kustomization
 * object the cluster gets) within Kubernetes' 63 characters.
 */
export function parseKustomizationTarget(flags: Pick<KustomizationFlags, 'name' | 'kustomizationName'>): KustomizationTarget {
  if (flags.name === undefined) throw new UsageError(CONFIG_NAME_FLAG, 'the Flux configuration is required.', 'Give it with -n CONFIG.');
  if (flags.kustomizationName === undefined) throw new UsageError(KUSTOMIZATION_NAME_FLAG, 'the kustomization is required.', 'Give it with -k NAME.');
  const configName = parseObjectName(CONFIG_NAME_FLAG, flags.name, 'configuration name');
  const name = parseObjectName(KUSTOMIZATION_NAME_FLAG, flags.kustomizationName, 'kustomization name');
  checkKustomizations(configName, new Map([[name, {}]]), KUSTOMIZATION_NAME_FLAG);
  return { configName, name };
}

/** `--depends-on a,b`, `--depends-on a b`, `--depends-on "[a, b]"`; `--depends-on ""` is the empty list. */
function parseDependencyFlags(flags: KustomizationFlags): string[] | undefined {
  if (flags.dependsOn === undefined && flags.dependencies === undefined && flags.depends === undefined) return undefined;
  const names: string[] = [];
  for (const value of [...(flags.dependsOn ?? []), ...(flags.dependencies ?? []), ...(flags.depends ?? [])]) {
    for (const name of parseDependsOn(DEPENDS_ON_FLAG, value)) if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * `--substitute VAR=value …` and `--substitute-from KIND/NAME[:optional] …`, parsed by the
 * `-k` parser itself (same variable-name rules, same duplicate checks).
 */
function parsePostBuild(flags: KustomizationFlags): KustomizationDef['postBuild'] | undefined {
  const postBuild: NonNullable<KustomizationDef['postBuild']> = {};
  if (flags.substitute !== undefined) {
    for (const pair of flags.substitute) splitKeyValue(SUBSTITUTE_FLAG, pair, 'VAR=value');
    const parsed = parseKustomization(['name=k', ...flags.substitute.map((pair) => `substitute=${pair}`)], SUBSTITUTE_FLAG).def;
    if (parsed.postBuild?.substitute) postBuild.substitute = parsed.postBuild.substitute;
  }
  if (flags.substituteFrom !== undefined) {
    const refs: SubstituteFrom[] = [];
    for (const value of flags.substituteFrom) {
      let ref: SubstituteFrom;
      try {
        ref = parseKustomization(['name=k', `substitute_from=${value}`], SUBSTITUTE_FROM_FLAG).def.postBuild!.substituteFrom![0]!;
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        throw new UsageError(
          SUBSTITUTE_FROM_FLAG,
          err.message.slice(`${SUBSTITUTE_FROM_FLAG}: `.length).replace(/^substitute_from /, ''),
          err.remedy && !err.remedy.includes('substitute_from=')
            ? err.remedy
            : 'Give KIND/NAME[:optional] with KIND ConfigMap or Secret, e.g. --substitute-from ConfigMap/cluster-vars Secret/cluster-secrets:optional.',
        );
      }
      if (refs.some((r) => r.kind === ref.kind && r.name === ref.name)) {
        throw new UsageError(SUBSTITUTE_FROM_FLAG, `${ref.kind}/${ref.name} is given twice.`);
      }
      refs.push(ref);
    }
    postBuild.substituteFrom = refs;
  }
  return Object.keys(postBuild).length > 0 ? postBuild : undefined;
}

/** The flags of `flux kustomization create|update` → the target and the fields given. */
export function parseKustomizationFlags(flags: KustomizationFlags): KustomizationRequest {
  const target = parseKustomizationTarget(flags);
  const def: KustomizationDef = {};
  if (flags.path !== undefined) def.path = flags.path;
  const dependsOn = parseDependencyFlags(flags);
  if (dependsOn !== undefined) {
    if (dependsOn.includes(target.name)) throw new UsageError(DEPENDS_ON_FLAG, `kustomization '${target.name}' cannot depend on itself.`);
    def.dependsOn = dependsOn;
  }
  if (flags.timeout !== undefined) def.timeoutInSeconds = parseDurationSeconds('--timeout', flags.timeout);
  if (flags.interval !== undefined) def.syncIntervalInSeconds = parseDurationSeconds(INTERVAL_FLAG, flags.interval);
  if (flags.retryInterval !== undefined) def.retryIntervalInSeconds = parseDurationSeconds('--retry-interval', flags.retryInterval);
  if (flags.prune !== undefined) def.prune = parseBoolean('--prune', flags.prune);
  if (flags.force !== undefined) def.force = parseBoolean('--force', flags.force);
  if (flags.disableHealthCheck !== undefined) def.wait = !parseBoolean('--disable-health-check', flags.disableHealthCheck);
  const postBuild = parsePostBuild(flags);
  if (postBuild) def.postBuild = postBuild;
  return { ...target, def };
}

/** True when the request sets at least one field of the kustomization. */
export function hasDefinitionFields(def: KustomizationDef): boolean {
  return Object.keys(def).length > 0;
}

/** What to send for a new kustomization: the fields given, an empty dependency list left out. */
export function newKustomization(def: KustomizationDef): KustomizationDef {
  const out: KustomizationDef = prune({ ...def });
  if (out.dependsOn?.length === 0) delete out.dependsOn;
  return out;
}

/**
 * The kustomization after an update: `change` laid over `current`. Scalars and the dependency
 * list are replaced; substitution variables are added (or replaced by name), and a
 * substitute-from reference is added (or, for the same kind and name, replaced).
 */
export function mergeKustomization(current: KustomizationDef, change: KustomizationDef): KustomizationDef {
  const { postBuild: changePostBuild, ...scalars } = change;
  const out: KustomizationDef = prune({ ...current, ...scalars });
  if (out.dependsOn?.length === 0) delete out.dependsOn;
  if (changePostBuild) {
    const postBuild: NonNullable<KustomizationDef['postBuild']> = { ...(current.postBuild ?? {}) };
    if (changePostBuild.substitute) postBuild.substitute = { ...(current.postBuild?.substitute ?? {}), ...changePostBuild.substitute };
    if (changePostBuild.substituteFrom) {
      const refs = [...(current.postBuild?.substituteFrom ?? [])];
      for (const ref of changePostBuild.substituteFrom) {
        const at = refs.findIndex((r) => r.kind === ref.kind && r.name === ref.name);
        if (at >= 0) refs[at] = ref;
        else refs.push(ref);
      }
      postBuild.substituteFrom = refs;
    }
    out.postBuild = postBuild;
  }
  return out;
}

type PatchBody = NonNullable<PatchResult['body']>;
type KustomizationPatch = NonNullable<ReturnType<typeof mergeDiff>>;

/**
 * The merge patch of one kustomization from `current` to `next` (both as the model holds them),
 * or undefined when nothing differs. A changed `postBuild` is sent whole, so the result is the
 * same whether Azure merges or replaces its maps; cleared dependencies are sent as null.
 */
export function kustomizationChange(current: KustomizationDef, next: KustomizationDef): KustomizationPatch | undefined {
  const from = normalise(current);
  const to = normalise(next);
  const diff = mergeDiff(from as KustomizationPatch, to as KustomizationPatch);
  if (diff && 'postBuild' in diff) diff.postBuild = (to.postBuild ?? null) as KustomizationPatch[string];
  return diff;
}

function normalise(def: KustomizationDef): KustomizationDef {
  const out = prune(structuredClone(def));
  if (out.dependsOn?.length === 0) delete out.dependsOn;
  if (out.postBuild) {
    if (out.postBuild.substitute && Object.keys(out.postBuild.substitute).length === 0) delete out.postBuild.substitute;
    if (out.postBuild.substituteFrom?.length === 0) delete out.postBuild.substituteFrom;
    if (Object.keys(out.postBuild).length === 0) delete out.postBuild;
  }
  return out;
}

/** `PATCH …/fluxConfigurations/{config}` adding, changing (a patch) or deleting (null) one kustomization. */
export function kustomizationPatchBody(name: string, value: KustomizationDef | KustomizationPatch | null): PatchBody {
  return { properties: { kustomizations: { [name]: value as KustomizationPatch } } };
}

/**
 * The whole set of kustomizations after a change must hold together (dependencies that exist,
 * no cycles, names within limits). A problem the configuration in Azure already has, and that the
 * change does not cause, is returned as a warning instead of refusing the change.
 */
export function checkKustomizationSet(configName: string, before: ReadonlyMap<string, KustomizationDef>, after: ReadonlyMap<string, KustomizationDef>, flag = DEPENDS_ON_FLAG): string[] {
  try {
    checkKustomizations(configName, new Map(after), flag);
    return [];
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    try {
      checkKustomizations(configName, new Map(before), flag);
    } catch (old) {
      if (old instanceof UsageError && old.message === err.message) {
        return [`configuration '${configName}' in Azure already has a problem this change does not fix: ${err.message.slice(flag.length + 2)}`];
      }
    }
    throw err;
  }
}

/** The kustomizations of a set that depend on `name`, in set order. */
export function dependentsOf(name: string, kustomizations: ReadonlyMap<string, KustomizationDef>): string[] {
  return [...kustomizations].filter(([other, def]) => other !== name && (def.dependsOn ?? []).includes(name)).map(([other]) => other);
}
