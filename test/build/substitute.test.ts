/**
 * Flux's post-build substitution over built objects (kustomize-controller's rules): where the
 * variables come from and which wins, what is skipped, and what a substituted value becomes.
 */
import { describe, test, expect } from '@jest/globals';
import { readManifests, toObject } from '../../src/build/resources.js';
import type { KubeObject } from '../../src/render/kube.js';
import { assembleVariables, readVariableSources, substitute, SubstitutionError, type VariableSources } from '../../src/build/substitute.js';

const objects = (text: string) => readManifests(text, 'test.yaml');

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  namespace: apps
data:
  replicas: \${replicas}
  quoted: "\${replicas}"
  flag: \${flag}
  name: \${name:=fallback}
`;

function run(text: string, vars: Record<string, string>, strict = false) {
  const rs = objects(text);
  const changed = substitute(rs, new Map(Object.entries(vars)), strict);
  return { changed, objects: rs.map((r) => toObject(r.doc) as KubeObject & { data: Record<string, unknown> }) };
}

describe('substitution in objects', () => {
  test('a plain value takes the type YAML 1.1 gives it; a quoted one stays a string', () => {
    const { objects: [cm] } = run(CONFIGMAP, { replicas: '3', flag: 'on' });
    expect(cm!.data).toEqual({ replicas: 3, quoted: '3', flag: true, name: 'fallback' });
  });

  test('with no variable at all nothing is substituted, not even defaults', () => {
    const { changed, objects: [cm] } = run(CONFIGMAP, {});
    expect(changed).toBe(0);
    expect(cm!.data.name).toBe('${name:=fallback}');
  });

  test('objects labelled or annotated substitute: disabled are left alone', () => {
    for (const where of ['labels', 'annotations']) {
      const text = CONFIGMAP.replace('  namespace: apps\n', `  namespace: apps\n  ${where}:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n`);
      const { changed, objects: [cm] } = run(text, { replicas: '3' });
      expect(changed).toBe(0);
      expect(cm!.data.replicas).toBe('${replicas}');
    }
    // Any other value does not opt out.
    const text = CONFIGMAP.replace('  namespace: apps\n', '  namespace: apps\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: Disabled\n');
    expect(run(text, { replicas: '3' }).changed).toBe(1);
  });

  test('strict mode fails on a variable without value or default, naming the object', () => {
    expect(() => run(CONFIGMAP, { replicas: '3' }, true)).toThrow(/ConfigMap apps\/app \(test.yaml\): variable substitution failed: variable not set \(strict mode\): "flag"/);
    expect(run(CONFIGMAP, { replicas: '3', flag: 'x' }, true).changed).toBe(1);
  });

  test('an invalid variable name fails the whole substitution', () => {
    expect(() => run(CONFIGMAP, { 'app.name': 'x' })).toThrow(/'app.name' var name is invalid/);
  });

  test('a substitution that breaks the YAML is an error', () => {
    expect(() => run('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: ${v}\n', { v: 'a: b: c' })).toThrow(SubstitutionError);
  });
});

describe('where the variables come from', () => {
  const namespace = 'cluster-config';
  const secrets: string[] = [];
  const sources: VariableSources = new Map();
  readVariableSources(
    `apiVersion: v1
kind: ConfigMap
metadata: {name: cluster-vars}
data: {region: westeurope, tier: "multi\\nline", shared: from-configmap}
---
apiVersion: v1
kind: Secret
metadata: {name: cluster-secrets, namespace: cluster-config}
data: {token: ${Buffer.from('s3cr3t-token').toString('base64')}, shared: ${Buffer.from('from-secret').toString('base64')}}
stringData: {plain: literal-value}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: elsewhere, namespace: other}
data: {ignored: x}
`,
    'vars.yaml',
    namespace,
    sources,
    (s) => secrets.push(s),
  );

  test('ConfigMap data and Secret data (decoded) or stringData, of the configuration namespace only', () => {
    expect([...sources.keys()]).toEqual(['ConfigMap/cluster-vars', 'Secret/cluster-secrets']);
    expect(Object.fromEntries(sources.get('Secret/cluster-secrets')!.data)).toEqual({ token: 's3cr3t-token', shared: 'from-secret', plain: 'literal-value' });
    expect(secrets.sort()).toEqual(['from-secret', 'literal-value', 's3cr3t-token']);
  });

  test('substituteFrom in order (later wins), then substitute (wins over all); newlines removed', () => {
    const vars = assembleVariables({
      substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-vars' }, { kind: 'Secret', name: 'cluster-secrets' }],
      substitute: { region: 'northeurope' },
    }, sources);
    expect(vars.get('shared')).toBe('from-secret');
    expect(vars.get('region')).toBe('northeurope');
    expect(vars.get('tier')).toBe('multiline');
  });

  test('a missing source fails unless optional', () => {
    expect(() => assembleVariables({ substituteFrom: [{ kind: 'ConfigMap', name: 'nope' }] }, sources)).toThrow(/substitute from 'ConfigMap\/nope' error: not found/);
    expect(assembleVariables({ substituteFrom: [{ kind: 'ConfigMap', name: 'nope', optional: true }] }, sources).size).toBe(0);
  });

  test('a file with anything but ConfigMaps and Secrets is refused', () => {
    expect(() => readVariableSources('apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n', 'f.yaml', namespace, new Map(), () => undefined)).toThrow(/only ConfigMaps and Secrets/);
  });
});
