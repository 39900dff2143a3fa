import { describe, test, expect } from '@jest/globals';
import {
  KUSTOMIZATION_FLAG,
  checkKustomizations,
  parseDependsOn,
  parseKustomization,
  parseKustomizations,
} from '../../src/model/kustomization.js';
import type { KustomizationDef } from '../../src/model/types.js';
import { expectUsageError } from '../helpers/input.js';

const K = '-k/--kustomization';

const parse = (...tokens: string[]): KustomizationDef => parseKustomization(['name=apps', ...tokens]).def;

test('the flag is spelled as on the command line', () => {
  expect(KUSTOMIZATION_FLAG).toBe(K);
});

describe('every key and alias sets its field', () => {
  test.each([
    [['path=./apps/staging'], { path: './apps/staging' }],
    [['path=a=b'], { path: 'a=b' }],
    [['path='], { path: '' }],
    [['depends_on=infra'], { dependsOn: ['infra'] }],
    [['dependsOn=infra'], { dependsOn: ['infra'] }],
    [['dependencies=infra'], { dependsOn: ['infra'] }],
    [['depends=infra'], { dependsOn: ['infra'] }],
    [['sync_interval=5m'], { syncIntervalInSeconds: 300 }],
    [['syncInterval=5m'], { syncIntervalInSeconds: 300 }],
    [['interval=1h'], { syncIntervalInSeconds: 3600 }],
    [['retry_interval=90s'], { retryIntervalInSeconds: 90 }],
    [['retryInterval=2m'], { retryIntervalInSeconds: 120 }],
    [['timeout=1h2m3s'], { timeoutInSeconds: 3723 }],
    [['prune=true'], { prune: true }],
    [['force=true'], { force: true }],
    [['wait=true'], { wait: true }],
    [['wait=false'], { wait: false }],
    [['disable_health_check=true'], { wait: false }],
    [['disable-health-check=true'], { wait: false }],
    [['disableHealthCheck=true'], { wait: false }],
    [['disable_health_check=false'], { wait: true }],
    [['substitute=CLUSTER=prod'], { postBuild: { substitute: { CLUSTER: 'prod' } } }],
    [['substitute=URL=https://x/?a=b'], { postBuild: { substitute: { URL: 'https://x/?a=b' } } }],
    [['substitute=EMPTY='], { postBuild: { substitute: { EMPTY: '' } } }],
    [['substitute=A=1', 'substitute=_b2=two'], { postBuild: { substitute: { A: '1', _b2: 'two' } } }],
    [['substitute_from=ConfigMap/cluster-vars'], { postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-vars' }] } }],
    [['substituteFrom=Secret/cluster-secrets:optional'], { postBuild: { substituteFrom: [{ kind: 'Secret', name: 'cluster-secrets', optional: true }] } }],
    [['substitute_from=configmap/vars'], { postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'vars' }] } }],
    [
      ['substitute_from=ConfigMap/a', 'substitute_from=Secret/b:optional', 'substitute=X=y'],
      { postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'a' }, { kind: 'Secret', name: 'b', optional: true }], substitute: { X: 'y' } } },
    ],
  ])('%j', (tokens, def) => {
    expect(parse(...tokens)).toEqual(def);
  });

  test('name alone gives an empty definition (the service applies its defaults)', () => {
    expect(parseKustomization(['name=infra'])).toEqual({ name: 'infra', def: {} });
  });

  test('the name may come anywhere', () => {
    expect(parseKustomization(['path=./x', 'name=late'])).toEqual({ name: 'late', def: { path: './x' } });
  });
});

describe('booleans are real booleans (az sends prune=false as true)', () => {
  test.each([
    ['false', false],
    ['False', false],
    ['FALSE', false],
    ['no', false],
    ['0', false],
    ['true', true],
    ['True', true],
    ['yes', true],
    ['1', true],
  ])('prune=%s → %s', (text, value) => {
    expect(parse(`prune=${text}`).prune).toBe(value);
    expect(parse(`force=${text}`).force).toBe(value);
    expect(parse(`wait=${text}`).wait).toBe(value);
    expect(parse(`disable_health_check=${text}`).wait).toBe(!value);
  });

  test.each([['prune'], ['force'], ['wait'], ['disable_health_check']])('%s=maybe is rejected', (key) => {
    const err = expectUsageError(() => parse(`${key}=maybe`));
    expect(err.message).toContain(K);
    expect(err.message).toContain(key);
    expect(err.message).toContain("'maybe'");
  });

  test.each([['prune'], ['force']])('%s= (empty) is rejected rather than read as false', (key) => {
    const err = expectUsageError(() => parse(`${key}=`));
    expect(err.message).toContain(K);
  });
});

describe('depends_on forms', () => {
  test.each([
    ['[a,b]', ['a', 'b']],
    ['["a","b"]', ['a', 'b']],
    ["['a', 'b']", ['a', 'b']],
    ['a, b', ['a', 'b']],
    ['[ a , b ]', ['a', 'b']],
    ['a', ['a']],
    ['[a]', ['a']],
    ['[]', []],
    ['', []],
  ])('%j → %j', (value, names) => {
    expect(parseDependsOn(K, value)).toEqual(names);
    expect(parse(`depends_on=${value}`).dependsOn).toEqual(names);
  });

  test.each([['a,,b'], ['[a,]'], ['a,']])('%j has an empty name', (value) => {
    const err = expectUsageError(() => parse(`depends_on=${value}`));
    expect(err.message).toContain(K);
    expect(err.message).toContain(value);
  });

  test.each([['Infra'], ['in_fra'], ['[a,-b]']])('%j holds an invalid name', (value) => {
    const err = expectUsageError(() => parse(`depends_on=${value}`));
    expect(err.message).toContain(K);
  });
});

describe('one occurrence is rejected when', () => {
  test.each([
    ['an unknown key', ['name=a', 'validation=client'], "unknown key 'validation'"],
    ['a key in the wrong case', ['name=a', 'Prune=true'], "unknown key 'Prune'"],
    ['postBuild is spelled as in the API', ['name=a', 'postBuild=x'], "unknown key 'postBuild'"],
    ['a key is repeated', ['name=a', 'path=x', 'path=y'], "'path' is given twice"],
    ['a name is repeated', ['name=a', 'name=b'], "'name' is given twice"],
    ['two aliases of one key are given', ['name=a', 'interval=5m', 'syncInterval=2m'], "'syncInterval' is given twice"],
    ['two depends_on aliases are given', ['name=a', 'depends_on=x', 'dependsOn=y'], 'given twice'],
    ['a token has no =', ['name=a', 'prune'], "'prune' is not of the form key=value"],
    ['a token starts with =', ['name=a', '=x'], "'=x'"],
    ['the name is missing', ['path=./apps'], 'path=./apps'],
    ['there are no tokens', [], 'key=value'],
    ['wait and disable_health_check are both given', ['name=a', 'wait=true', 'disable_health_check=true'], 'wait and disable_health_check'],
    ['disable-health-check and wait are both given', ['name=a', 'disable-health-check=false', 'wait=true'], 'wait and disable_health_check'],
    ['a variable name starts with a digit', ['name=a', 'substitute=1VAR=x'], "'1VAR'"],
    ['a variable name has a hyphen', ['name=a', 'substitute=MY-VAR=x'], "'MY-VAR'"],
    ['a substitute has no value part', ['name=a', 'substitute=VAR'], 'substitute=VAR=value'],
    ['a variable is substituted twice', ['name=a', 'substitute=A=1', 'substitute=A=2'], "'A'"],
    ['substitute_from has no kind', ['name=a', 'substitute_from=vars'], "'vars'"],
    ['substitute_from has an unknown kind', ['name=a', 'substitute_from=Pod/vars'], "'Pod'"],
    ['substitute_from has an unknown suffix', ['name=a', 'substitute_from=Secret/vars:required'], "'Secret/vars:required'"],
    ['substitute_from names an invalid object', ['name=a', 'substitute_from=Secret/Vars'], "'Vars'"],
    ['the name is not a valid object name', ['name=Apps'], "'Apps'"],
    ['the name is empty', ['name='], 'empty'],
    ['the name is too long', [`name=${'a'.repeat(64)}`], '64'],
    ['an interval is not a duration', ['name=a', 'interval=10'], "'10'"],
    ['a timeout is partly a duration', ['name=a', 'timeout=5m30'], "'5m30'"],
    ['a retry interval is not whole seconds', ['name=a', 'retry_interval=500ms'], "'500ms'"],
  ])('%s', (_why, tokens, mentions) => {
    const err = expectUsageError(() => parseKustomization(tokens));
    expect(err.message).toContain(K);
    expect(err.message).toContain(mentions);
  });

  test.each([
    ['sync_interval', 'sync_interval'],
    ['interval', 'interval'],
    ['retry_interval', 'retry_interval'],
    ['timeout', 'timeout'],
  ])('a bad %s names the key', (key, named) => {
    const err = expectUsageError(() => parseKustomization(['name=a', `${key}=abc`]));
    expect(err.flag).toContain(named);
  });

  test('an unknown key is answered with the keys that exist', () => {
    const err = expectUsageError(() => parseKustomization(['name=a', 'bogus=1']));
    expect(err.remedy).toContain('depends_on');
    expect(err.remedy).toContain('substitute_from');
  });
});

describe('parseKustomizations', () => {
  test('keeps the order of the occurrences', () => {
    const map = parseKustomizations([['name=infra'], ['name=apps', 'depends_on=infra'], ['name=monitoring']]);
    expect([...map.keys()]).toEqual(['infra', 'apps', 'monitoring']);
    expect(map.get('apps')).toEqual({ dependsOn: ['infra'] });
  });

  test('no occurrences give an empty map', () => {
    expect(parseKustomizations([]).size).toBe(0);
  });

  test('every occurrence needs a name, not only the first', () => {
    const err = expectUsageError(() => parseKustomizations([['name=infra'], ['path=./apps']]));
    expect(err.message).toContain(K);
    expect(err.message).toContain('path=./apps');
  });

  test('duplicate names across occurrences are rejected', () => {
    const err = expectUsageError(() => parseKustomizations([['name=apps', 'path=./a'], ['name=infra'], ['name=apps', 'path=./b']]));
    expect(err.message).toContain(K);
    expect(err.message).toContain("'apps'");
  });
});

describe('checkKustomizations', () => {
  const map = (entries: Record<string, string[]>): Map<string, KustomizationDef> =>
    new Map(Object.entries(entries).map(([name, deps]) => [name, deps.length > 0 ? { dependsOn: deps } : {}]));

  test.each([
    ['no dependencies', { a: [], b: [] }],
    ['a chain', { a: [], b: ['a'], c: ['b'] }],
    ['a diamond', { a: [], b: ['a'], c: ['a'], d: ['b', 'c'] }],
    ['a dependency defined later', { b: ['a'], a: [] }],
  ])('accepts %s', (_why, entries) => {
    expect(() => checkKustomizations('cfg', map(entries))).not.toThrow();
  });

  test('a dependency on an undefined kustomization is rejected', () => {
    const err = expectUsageError(() => checkKustomizations('cfg', map({ apps: ['infra'] })));
    expect(err.message).toContain(K);
    expect(err.message).toContain("'apps'");
    expect(err.message).toContain("'infra'");
  });

  test('a self-dependency is rejected', () => {
    const err = expectUsageError(() => checkKustomizations('cfg', map({ apps: ['apps'] })));
    expect(err.message).toContain(K);
    expect(err.message).toContain("'apps'");
    expect(err.message).toContain('itself');
  });

  test.each([
    ['a → b → a', { a: ['b'], b: ['a'] }, ['a', 'b']],
    ['a → b → c → a', { a: ['b'], b: ['c'], c: ['a'] }, ['a', 'b', 'c']],
    ['a cycle behind an acyclic start', { start: ['x'], x: ['y'], y: ['z'], z: ['x'] }, ['x', 'y', 'z']],
  ])('a cycle %s is rejected', (_why, entries, members) => {
    const err = expectUsageError(() => checkKustomizations('cfg', map(entries)));
    expect(err.message).toContain(K);
    expect(err.message).toContain('cycle');
    for (const m of members) expect(err.message).toContain(m);
  });

  test.each([
    ['exactly 63 characters', 'c'.repeat(31), 'k'.repeat(31), true],
    ['a 1-character config and a 61-character kustomization', 'c', 'k'.repeat(61), true],
    ['64 characters', 'c'.repeat(32), 'k'.repeat(31), false],
    ['a 63-character config with any kustomization', 'c'.repeat(63), 'k', false],
  ])('<config>-<kustomization> of %s', (_why, config, kustomization, ok) => {
    const run = (): void => checkKustomizations(config, new Map([[kustomization, {}]]));
    if (ok) {
      expect(run).not.toThrow();
    } else {
      const err = expectUsageError(run);
      expect(err.message).toContain(K);
      expect(err.message).toContain(`${config}-${kustomization}`);
      expect(err.message).toContain('63');
    }
  });
});
