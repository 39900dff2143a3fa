import { describe, test, expect } from '@jest/globals';
import {
  checkKustomizationSet,
  dependentsOf,
  hasDefinitionFields,
  kustomizationChange,
  kustomizationPatchBody,
  mergeKustomization,
  newKustomization,
  parseKustomizationFlags,
  parseKustomizationTarget,
  type KustomizationFlags,
} from '../../src/model/kustomization-flags.js';
import type { KustomizationDef } from '../../src/model/types.js';
import { expectUsageError } from '../helpers/input.js';

const TARGET = { name: 'cluster-config', kustomizationName: 'apps' };
const parse = (flags: KustomizationFlags): KustomizationDef => parseKustomizationFlags({ ...TARGET, ...flags }).def;

describe('the target: -n CONFIG -k NAME', () => {
  test('valid names are returned', () => {
    expect(parseKustomizationTarget(TARGET)).toEqual({ configName: 'cluster-config', name: 'apps' });
  });

  test.each([
    [{ name: 'Cluster', kustomizationName: 'apps' }, '-n/--name', 'Cluster'],
    [{ name: 'cluster-config', kustomizationName: 'Apps' }, '-k/--kustomization-name', 'Apps'],
    [{ name: 'cluster-config', kustomizationName: '-apps' }, '-k/--kustomization-name', '-apps'],
    [{ name: 'cluster-config', kustomizationName: '' }, '-k/--kustomization-name', 'must not be empty'],
  ])('%j is refused, naming the flag and the value', (flags, flag, value) => {
    const err = expectUsageError(() => parseKustomizationTarget(flags));
    expect(err.flag).toBe(flag);
    expect(err.message).toContain(value);
  });

  test('missing names are refused', () => {
    expect(expectUsageError(() => parseKustomizationTarget({ kustomizationName: 'apps' })).flag).toBe('-n/--name');
    expect(expectUsageError(() => parseKustomizationTarget({ name: 'c' })).flag).toBe('-k/--kustomization-name');
  });

  test('<config>-<name> must fit the 63 characters of a Kubernetes name', () => {
    const config = 'c'.repeat(40);
    expect(parseKustomizationTarget({ name: config, kustomizationName: 'k'.repeat(22) }).name).toHaveLength(22);
    const err = expectUsageError(() => parseKustomizationTarget({ name: config, kustomizationName: 'k'.repeat(23) }));
    expect(err.flag).toBe('-k/--kustomization-name');
    expect(err.message).toContain('64 characters');
  });
});

describe('only the fields given are set', () => {
  test('no flags → an empty definition', () => {
    const def = parse({});
    expect(def).toEqual({});
    expect(hasDefinitionFields(def)).toBe(false);
  });

  test.each<[KustomizationFlags, KustomizationDef]>([
    [{ path: './apps/staging' }, { path: './apps/staging' }],
    [{ path: '' }, { path: '' }],
    [{ timeout: '5m' }, { timeoutInSeconds: 300 }],
    [{ interval: '1h30m' }, { syncIntervalInSeconds: 5400 }],
    [{ retryInterval: '90s' }, { retryIntervalInSeconds: 90 }],
    [{ prune: true }, { prune: true }],
    [{ prune: 'false' }, { prune: false }],
    [{ prune: 'No' }, { prune: false }],
    [{ force: '1' }, { force: true }],
    [{ force: 'false' }, { force: false }],
    [{ disableHealthCheck: true }, { wait: false }],
    [{ disableHealthCheck: 'true' }, { wait: false }],
    [{ disableHealthCheck: 'false' }, { wait: true }],
  ])('%j → %j', (flags, def) => {
    expect(parse(flags)).toEqual(def);
    expect(hasDefinitionFields(parse(flags))).toBe(true);
  });

  test('without --disable-health-check, wait is not set (az sends wait: true on every update)', () => {
    expect(parse({ path: './x', prune: true })).not.toHaveProperty('wait');
  });
});

describe('dependencies', () => {
  test.each<[KustomizationFlags, string[]]>([
    [{ dependsOn: ['infra'] }, ['infra']],
    [{ dependsOn: ['infra,crds'] }, ['infra', 'crds']],
    [{ dependsOn: ['[infra, crds]'] }, ['infra', 'crds']],
    [{ dependsOn: ['["infra","crds"]'] }, ['infra', 'crds']],
    [{ dependsOn: ['infra', 'crds'] }, ['infra', 'crds']],
    [{ dependencies: ['infra'] }, ['infra']],
    [{ depends: ['infra'] }, ['infra']],
    [{ dependsOn: ['infra'], depends: ['crds'] }, ['infra', 'crds']],
    [{ dependsOn: ['infra', 'infra,crds'] }, ['infra', 'crds']],
    [{ dependsOn: [''] }, []],
    [{ dependsOn: ['[]'] }, []],
  ])('%j → %j', (flags, names) => {
    expect(parse(flags).dependsOn).toEqual(names);
  });

  test.each<[KustomizationFlags, string]>([
    [{ dependsOn: ['Infra'] }, 'Infra'],
    [{ dependsOn: ['a,,b'] }, 'empty name'],
    [{ dependsOn: ['apps'] }, 'itself'],
    [{ depends: ['infra,apps'] }, 'itself'],
  ])('%j is refused as --depends-on', (flags, text) => {
    const err = expectUsageError(() => parse(flags));
    expect(err.flag).toBe('--depends-on');
    expect(err.message).toContain(text);
  });
});

describe('durations and booleans are strict', () => {
  test.each<[KustomizationFlags, string, string]>([
    [{ interval: '5' }, '--interval/--sync-interval', "'5'"],
    [{ interval: '5m30' }, '--interval/--sync-interval', "'5m30'"],
    [{ timeout: '1.5s' }, '--timeout', "'1.5s'"],
    [{ timeout: '10M' }, '--timeout', "'10M'"],
    [{ retryInterval: '0s' }, '--retry-interval', "'0s'"],
    [{ prune: 'maybe' }, '--prune', "'maybe'"],
    [{ force: '' }, '--force', "''"],
    [{ disableHealthCheck: 'disable' }, '--disable-health-check', "'disable'"],
  ])('%j → usage error on %s', (flags, flag, value) => {
    const err = expectUsageError(() => parse(flags));
    expect(err.flag).toBe(flag);
    expect(err.message).toContain(value);
    expect(err.remedy ?? err.message).toMatch(/Go duration|true or false|whole seconds|minimum|unit/);
  });
});

describe('post-build substitution', () => {
  test('variables and references', () => {
    expect(
      parse({ substitute: ['cluster_env=prod', 'url=https://x/?a=b'], substituteFrom: ['ConfigMap/cluster-vars', 'secret/cluster-secrets:optional'] }),
    ).toEqual({
      postBuild: {
        substitute: { cluster_env: 'prod', url: 'https://x/?a=b' },
        substituteFrom: [
          { kind: 'ConfigMap', name: 'cluster-vars' },
          { kind: 'Secret', name: 'cluster-secrets', optional: true },
        ],
      },
    });
  });

  test('an empty value is a value', () => {
    expect(parse({ substitute: ['empty='] }).postBuild).toEqual({ substitute: { empty: '' } });
  });

  test.each<[KustomizationFlags, string, RegExp]>([
    [{ substitute: ['cluster_env'] }, '--substitute', /'cluster_env' is not of the form VAR=value/],
    [{ substitute: ['=prod'] }, '--substitute', /'=prod' is not of the form VAR=value/],
    [{ substitute: ['1var=x'] }, '--substitute', /'1var' is not a valid substitution variable name/],
    [{ substitute: ['a-b=x'] }, '--substitute', /'a-b'/],
    [{ substitute: ['a=1', 'a=2'] }, '--substitute', /'a' is substituted twice/],
    [{ substituteFrom: ['cluster-vars'] }, '--substitute-from', /'cluster-vars' is not of the form KIND\/NAME/],
    [{ substituteFrom: ['Deployment/x'] }, '--substitute-from', /'Deployment'/],
    [{ substituteFrom: ['ConfigMap/Vars'] }, '--substitute-from', /'Vars'/],
    [{ substituteFrom: ['ConfigMap/v', 'configmap/v:optional'] }, '--substitute-from', /ConfigMap\/v is given twice/],
  ])('%j is refused', (flags, flag, text) => {
    const err = expectUsageError(() => parse(flags));
    expect(err.flag).toBe(flag);
    expect(err.message).toMatch(text);
    expect(`${err.message} ${err.remedy ?? ''}`).not.toContain('substitute_from=');
  });

  test('a malformed reference is explained in the flag form', () => {
    const err = expectUsageError(() => parse({ substituteFrom: ['cluster-vars'] }));
    expect(err.remedy).toContain('--substitute-from ConfigMap/cluster-vars');
  });
});

describe('create: the definition sent', () => {
  test('only the fields given, an empty dependency list left out', () => {
    expect(newKustomization({})).toEqual({});
    expect(newKustomization({ path: './a', dependsOn: [] })).toEqual({ path: './a' });
    expect(newKustomization({ dependsOn: ['infra'], prune: false })).toEqual({ dependsOn: ['infra'], prune: false });
  });

  test('the PATCH body carries that one kustomization', () => {
    expect(kustomizationPatchBody('apps', { path: './a' })).toEqual({ properties: { kustomizations: { apps: { path: './a' } } } });
    expect(kustomizationPatchBody('apps', {})).toEqual({ properties: { kustomizations: { apps: {} } } });
  });

  test('delete is null', () => {
    expect(kustomizationPatchBody('apps', null)).toEqual({ properties: { kustomizations: { apps: null } } });
  });
});

describe('update: the change sent', () => {
  const current: KustomizationDef = {
    path: './apps/staging',
    dependsOn: ['infra'],
    timeoutInSeconds: 600,
    syncIntervalInSeconds: 600,
    prune: true,
    force: false,
    wait: true,
    postBuild: { substitute: { env: 'staging', region: 'westeurope' }, substituteFrom: [{ kind: 'ConfigMap', name: 'vars' }] },
  };
  const change = (given: KustomizationDef): ReturnType<typeof kustomizationChange> => kustomizationChange(current, mergeKustomization(current, given));

  test('only fields that differ', () => {
    expect(change({ path: './apps/production', prune: true, timeoutInSeconds: 600 })).toEqual({ path: './apps/production' });
  });

  test('health checks are not touched unless asked', () => {
    expect(change({ force: true })).toEqual({ force: true });
    expect(change({ wait: false })).toEqual({ wait: false });
  });

  test('nothing differs → undefined', () => {
    expect(change({ path: './apps/staging', wait: true })).toBeUndefined();
    expect(change({ dependsOn: ['infra'] })).toBeUndefined();
    expect(change({ postBuild: { substitute: { env: 'staging' } } })).toBeUndefined();
  });

  test('the dependency list is replaced; an empty one clears it with null', () => {
    expect(change({ dependsOn: ['crds', 'infra'] })).toEqual({ dependsOn: ['crds', 'infra'] });
    expect(change({ dependsOn: [] })).toEqual({ dependsOn: null });
    expect(kustomizationChange({ path: 'a' }, mergeKustomization({ path: 'a' }, { dependsOn: [] }))).toBeUndefined();
    expect(kustomizationChange({ path: 'a', dependsOn: [] }, mergeKustomization({ path: 'a', dependsOn: [] }, { dependsOn: [] }))).toBeUndefined();
  });

  test('substitutions are added to the ones it has, and postBuild is sent whole', () => {
    expect(change({ postBuild: { substitute: { env: 'prod', tier: 'web' } } })).toEqual({
      postBuild: { substitute: { env: 'prod', region: 'westeurope', tier: 'web' }, substituteFrom: [{ kind: 'ConfigMap', name: 'vars' }] },
    });
  });

  test('a reference of the same kind and name is replaced, a new one added', () => {
    expect(change({ postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'vars', optional: true }, { kind: 'Secret', name: 's' }] } })).toEqual({
      postBuild: {
        substitute: { env: 'staging', region: 'westeurope' },
        substituteFrom: [
          { kind: 'ConfigMap', name: 'vars', optional: true },
          { kind: 'Secret', name: 's' },
        ],
      },
    });
  });

  test('substitution on a kustomization that had none', () => {
    const bare: KustomizationDef = { path: './a' };
    expect(kustomizationChange(bare, mergeKustomization(bare, { postBuild: { substitute: { a: '1' } } }))).toEqual({ postBuild: { substitute: { a: '1' } } });
  });

  test('merging does not change the current definition', () => {
    const before = structuredClone(current);
    mergeKustomization(current, { path: 'x', dependsOn: [], postBuild: { substitute: { a: '1' }, substituteFrom: [{ kind: 'Secret', name: 's' }] } });
    expect(current).toEqual(before);
  });
});

describe('the resulting set of kustomizations', () => {
  const set = (entries: Record<string, string[]>): Map<string, KustomizationDef> => new Map(Object.entries(entries).map(([name, deps]) => [name, deps.length > 0 ? { dependsOn: deps } : {}]));

  test('a sound set passes', () => {
    expect(checkKustomizationSet('c', set({ infra: [] }), set({ infra: [], apps: ['infra'] }))).toEqual([]);
  });

  test('a dependency on a missing kustomization is refused', () => {
    const err = expectUsageError(() => checkKustomizationSet('c', set({ infra: [] }), set({ infra: [], apps: ['crds'] })));
    expect(err.flag).toBe('--depends-on');
    expect(err.message).toContain("'crds'");
  });

  test('a cycle the change makes is refused', () => {
    const err = expectUsageError(() => checkKustomizationSet('c', set({ infra: [], apps: ['infra'] }), set({ infra: ['apps'], apps: ['infra'] })));
    expect(err.message).toContain('cycle');
  });

  test('a problem Azure already has, and the change leaves as it was, is a warning', () => {
    const warnings = checkKustomizationSet('c', set({ infra: ['gone'], apps: [] }), set({ infra: ['gone'], apps: [] }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("'gone'");
  });

  test('a change that fixes such a problem passes', () => {
    expect(checkKustomizationSet('c', set({ infra: ['crds'] }), set({ infra: ['crds'], crds: [] }))).toEqual([]);
  });

  test('dependents are found for delete', () => {
    const s = set({ infra: [], crds: [], apps: ['infra', 'crds'], web: ['infra'] });
    expect(dependentsOf('infra', s)).toEqual(['apps', 'web']);
    expect(dependentsOf('web', s)).toEqual([]);
  });
});
