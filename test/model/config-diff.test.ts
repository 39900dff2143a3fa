/**
 * `flux config diff`'s model: the field list is a view of the PATCH update sends, never a rule
 * of its own. Checked on examples and on generated pairs of configurations: laying the listed
 * changes over Azure's configuration gives exactly what the merge patch gives, and nothing
 * write-only (keys, tokens, protected settings) is ever listed with a value.
 */
import { describe, expect, test } from '@jest/globals';
import { fluxConfigurationPutBody } from '../../src/model/arm.js';
import { configurationDiff, WRITE_ONLY_PROPERTIES, type FieldChange } from '../../src/model/config-diff.js';
import { fluxConfigurationPatchBody, withDefaults } from '../../src/model/patch.js';
import type { FluxConfiguration, KustomizationDef } from '../../src/model/types.js';
import { tutorialConfiguration } from '../helpers/configuration.js';
import { prng } from '../helpers/hostile.js';

type Json = Record<string, unknown>;

const tutorial = tutorialConfiguration;

const clone = (c: FluxConfiguration): FluxConfiguration => ({
  ...structuredClone({ ...c, kustomizations: undefined }),
  kustomizations: new Map([...c.kustomizations].map(([k, v]) => [k, structuredClone(v)])),
  configurationProtectedSettings: { ...c.configurationProtectedSettings },
});

describe('configurationDiff on examples', () => {
  test('the same configuration: no change', () => {
    expect(configurationDiff(tutorial(), tutorial())).toEqual({ changes: [], ignored: [], kindChanged: false });
  });

  test('a branch: that field, from and to', () => {
    const next = tutorial();
    next.gitRepository!.repositoryRef = { branch: 'release' };
    expect(configurationDiff(tutorial(), next).changes).toEqual([{ path: 'gitRepository.repositoryRef.branch', change: 'changed', from: 'main', to: 'release' }]);
  });

  test('a kustomization added whole (with the defaults a PATCH sends), one removed whole, one field back to its default', () => {
    const next = tutorial();
    next.kustomizations.delete('apps');
    next.kustomizations.set('extra', { path: './extra' });
    next.kustomizations.set('infra', { path: './infrastructure' }); // prune back to false
    expect(configurationDiff(tutorial(), next).changes).toEqual([
      { path: 'kustomizations.infra.prune', change: 'changed', from: true, to: false },
      { path: 'kustomizations.extra', change: 'added', to: { path: './extra', dependsOn: [], timeoutInSeconds: 600, syncIntervalInSeconds: 600, prune: false, force: false, wait: true } },
      { path: 'kustomizations.apps', change: 'removed', from: { path: './apps/staging', dependsOn: ['infra'], timeoutInSeconds: 600, syncIntervalInSeconds: 600, prune: true, force: false, wait: true } },
    ]);
  });

  test('protected settings are named, never valued, and always count (Azure cannot say whether they changed)', () => {
    const next = tutorial();
    next.gitRepository!.httpsUser = 'git';
    next.configurationProtectedSettings = { httpsKey: Buffer.from('s3cret-token').toString('base64') };
    const { changes } = configurationDiff(tutorial(), next);
    expect(changes).toEqual([
      { path: 'gitRepository.httpsUser', change: 'added', to: 'git' },
      { path: 'configurationProtectedSettings.httpsKey', change: 'sent' },
    ]);
    expect(JSON.stringify(changes)).not.toContain(next.configurationProtectedSettings.httpsKey);
  });

  test('a change of source kind: the kind, the new block (its keys named without values), the old block removed', () => {
    const next: FluxConfiguration = {
      ...clone(tutorial()),
      sourceKind: 'AzureBlob',
      azureBlob: { url: 'https://account.blob.core.windows.net', containerName: 'manifests', accountKey: 'key-value-1234', servicePrincipal: { clientId: 'id', clientSecret: 'secret-value-5678' } },
    };
    delete next.gitRepository;
    const diff = configurationDiff(tutorial(), next);
    expect(diff.kindChanged).toBe(true);
    expect(diff.changes).toEqual([
      { path: 'sourceKind', change: 'changed', from: 'GitRepository', to: 'AzureBlob' },
      { path: 'azureBlob', change: 'added', to: { timeoutInSeconds: 600, syncIntervalInSeconds: 600, url: 'https://account.blob.core.windows.net', containerName: 'manifests', servicePrincipal: { clientId: 'id' } } },
      { path: 'azureBlob.accountKey', change: 'sent' },
      { path: 'azureBlob.servicePrincipal.clientSecret', change: 'sent' },
      { path: 'gitRepository', change: 'removed', from: { timeoutInSeconds: 600, syncIntervalInSeconds: 600, url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', repositoryRef: { branch: 'main' } } },
    ]);
    expect(JSON.stringify(diff.changes)).not.toMatch(/key-value-1234|secret-value-5678/);
  });

  test('create-only fields are reported apart, as update warns about them, not as changes', () => {
    const next = { ...clone(tutorial()), waitForReconciliation: true };
    expect(configurationDiff(tutorial(), next)).toEqual({ changes: [], ignored: ['waitForReconciliation'], kindChanged: false });
  });
});

// ---------------------------------------------------------------------------------------------
// Generated pairs: the listed changes, laid over Azure's configuration, give what the PATCH gives.


function randomConfiguration(r: () => number): FluxConfiguration {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const maybe = <T>(v: T): T | undefined => (r() < 0.5 ? v : undefined);
  const keys = ['infra', 'apps', 'extra', 'monitoring'].filter(() => r() < 0.6);
  const kustomizations = new Map<string, KustomizationDef>();
  for (const k of keys) {
    const def: KustomizationDef = { path: pick(['./a', './b', '']) };
    const prune = maybe(pick([true, false]));
    if (prune !== undefined) def.prune = prune;
    const interval = maybe(pick([60, 300, 600]));
    if (interval !== undefined) def.syncIntervalInSeconds = interval;
    const deps = keys.filter((d) => d < k && r() < 0.4);
    if (deps.length > 0) def.dependsOn = deps;
    if (r() < 0.3) def.postBuild = { substitute: { env: pick(['dev', 'prod']) } };
    kustomizations.set(k, def);
  }
  const ref = pick([{ branch: 'main' }, { branch: 'release' }, { tag: 'v1' }, { branch: 'main', commit: 'abc1234' }]);
  const protectedSettings: Record<string, string> = r() < 0.3 ? { httpsKey: Buffer.from(`token-${Math.floor(r() * 1e6)}`).toString('base64') } : {};
  const c: FluxConfiguration = {
    name: 'cfg',
    scope: 'cluster',
    namespace: 'cfg',
    sourceKind: 'GitRepository',
    suspend: r() < 0.3,
    gitRepository: { url: pick(['https://example.com/a.git', 'https://example.com/b.git']), repositoryRef: ref },
    kustomizations,
    configurationProtectedSettings: protectedSettings,
  };
  const timeout = maybe(pick([60, 600]));
  if (timeout !== undefined) c.gitRepository!.timeoutInSeconds = timeout;
  if (r() < 0.3) c.gitRepository!.httpsUser = pick(['git', 'bot']);
  return c;
}

/** RFC 7386 merge patch. */
function merge(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return structuredClone(patch);
  const out: Json = typeof target === 'object' && target !== null && !Array.isArray(target) ? structuredClone(target as Json) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

/** Lays the listed changes over `before` (write-only values are not listed, so they are left out on both sides). */
function apply(before: Json, changes: FieldChange[]): Json {
  const out = structuredClone(before);
  for (const c of changes) {
    if (c.change === 'sent') continue;
    const parts = c.path.split('.');
    let at: Json = out;
    for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Json;
    const last = parts[parts.length - 1]!;
    if (c.change === 'removed') delete at[last];
    else at[last] = structuredClone(c.to);
  }
  return out;
}

function withoutWriteOnly(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !WRITE_ONLY_PROPERTIES.has(k) && k !== 'configurationProtectedSettings').map(([k, v]) => [k, withoutWriteOnly(v)]));
}

describe('configurationDiff on generated pairs', () => {
  test('300 generated pairs: the changes are the PATCH, field by field', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = prng(seed);
      const current = randomConfiguration(r);
      current.configurationProtectedSettings = {}; // Azure never returns them
      const next = randomConfiguration(r);
      const patch = fluxConfigurationPatchBody(current, next);
      const diff = configurationDiff(current, next);
      const before = withDefaults(fluxConfigurationPutBody(current).properties as never) as Json;
      const patched = merge(before, patch.body?.properties ?? {}) as Json;
      expect({ seed, result: withoutWriteOnly(apply(before, diff.changes)) }).toEqual({ seed, result: withoutWriteOnly(patched) });
      // Nothing listed that the PATCH does not send, and no value of a protected setting anywhere.
      expect({ seed, listed: diff.changes.length > 0 }).toEqual({ seed, listed: patch.body !== undefined });
      for (const c of diff.changes.filter((x) => x.path.startsWith('configurationProtectedSettings'))) expect(c).toEqual({ path: c.path, change: 'sent' });
      for (const value of Object.values(next.configurationProtectedSettings)) expect(JSON.stringify(diff.changes)).not.toContain(value);
    }
  });
});
