import { describe, test, expect, beforeEach } from '@jest/globals';
import { REDACTED, redactor } from '../../src/core/redact.js';
import { EXTENSION_API_VERSION } from '../../src/model/arm.js';
import type { ClusterType } from '../../src/model/cluster.js';
import { buildExtension, extensionHolds, extensionPatchChange, extensionPutBody, fluxInstallFlags, type ExtensionFlags } from '../../src/model/extension.js';
import { resetStdinClaim } from '../../src/model/input.js';
import { expectUsageError, fakeInput, type FakeInput } from '../helpers/input.js';
import { validateArmRequest } from '../helpers/schema.js';

const OTHER = 'microsoft.azuremonitor.containers';
const build = (flags: ExtensionFlags, clusterType: ClusterType | undefined = 'managedClusters', input: FakeInput = fakeInput()) => buildExtension(flags, clusterType, input);

const expectValidBody = (body: unknown): void => {
  expect(validateArmRequest('2023-05-01', 'Extension', body)).toEqual([]);
  expect(validateArmRequest('2025-03-01', 'Extension', body)).toEqual([]);
};

beforeEach(() => {
  resetStdinClaim();
});

test('the request body is for API 2023-05-01', () => {
  expect(EXTENSION_API_VERSION).toBe('2023-05-01');
});

describe('defaults', () => {
  test('name flux, type microsoft.flux, cluster scope in flux-system', () => {
    const { extension, warnings } = build({});
    expect(extension).toEqual({
      name: 'flux',
      extensionType: 'microsoft.flux',
      scope: { cluster: { releaseNamespace: 'flux-system' } },
      configurationSettings: {},
      configurationProtectedSettings: {},
    });
    expect(warnings).toEqual([]);
    const body = extensionPutBody(extension);
    expect(body).toEqual({
      properties: { extensionType: 'microsoft.flux', scope: { cluster: { releaseNamespace: 'flux-system' } }, configurationSettings: {} },
    });
    expectValidBody(body);
  });

  test('the extension type is lower-cased', () => {
    expect(build({ extensionType: 'Microsoft.Flux' }).extension.extensionType).toBe('microsoft.flux');
  });

  test('--release-namespace is accepted when --scope is left out (az rejects it)', () => {
    expect(build({ releaseNamespace: 'gitops' }).extension.scope).toEqual({ cluster: { releaseNamespace: 'gitops' } });
  });
});

describe('identity', () => {
  test.each([
    ['connectedClusters', { type: 'SystemAssigned' }],
    ['provisionedClusters', { type: 'SystemAssigned' }],
    ['managedClusters', undefined],
    [undefined, undefined],
  ] as const)('%s → %j', (clusterType, identity) => {
    const { extension } = build({}, clusterType);
    expect(extension.identity).toEqual(identity);
    const body = extensionPutBody(extension);
    if (identity) expect(body.identity).toEqual(identity);
    else expect('identity' in body).toBe(false);
    expectValidBody(body);
  });
});

describe('version and upgrades', () => {
  test('--version pins and turns auto-upgrade off, with a warning', () => {
    const { extension, warnings } = build({ version: '1.15.1' });
    expect(extension.version).toBe('1.15.1');
    expect(extension.autoUpgradeMinorVersion).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('1.15.1');
    expect(warnings[0]).toMatch(/auto-upgrade/);
    const body = extensionPutBody(extension);
    expect(body.properties).toMatchObject({ version: '1.15.1', autoUpgradeMinorVersion: false });
    expectValidBody(body);
  });

  test('--version with --auto-upgrade-minor-version false gives no warning', () => {
    const { extension, warnings } = build({ version: '1.15.1', autoUpgradeMinorVersion: 'false' });
    expect(extension.autoUpgradeMinorVersion).toBe(false);
    expect(warnings).toEqual([]);
  });

  test.each([['true'], ['yes'], [true]])('--version with --auto-upgrade-minor-version %s is rejected', (value) => {
    const err = expectUsageError(() => build({ version: '1.15.1', autoUpgradeMinorVersion: value }));
    expect(err.message).toContain('--version');
    expect(err.remedy).toContain('--auto-upgrade-minor-version');
  });

  test('--release-train and --auto-upgrade-minor-version', () => {
    const { extension, warnings } = build({ releaseTrain: 'Preview', autoUpgradeMinorVersion: true });
    expect(extension).toMatchObject({ releaseTrain: 'Preview', autoUpgradeMinorVersion: true });
    expect(warnings).toEqual([]);
    expectValidBody(extensionPutBody(extension));
  });

  test('--release-train without auto-upgrade warns', () => {
    expect(build({ releaseTrain: 'Stable', autoUpgradeMinorVersion: 'false' }).warnings.join('\n')).toContain('--release-train');
  });

  test.each([
    ['--version', { version: 'latest' }, 'latest'],
    ['--version', { version: '1.2' }, '1.2'],
    ['--auto-upgrade-minor-version', { autoUpgradeMinorVersion: 'maybe' }, 'maybe'],
    ['--release-train', { releaseTrain: 'stable train' }, 'stable train'],
  ])('a bad %s is rejected', (flag, flags, value) => {
    const err = expectUsageError(() => build(flags));
    expect(err.message).toContain(flag);
    expect(err.message).toContain(value);
  });

  test('a pre-release version is a version', () => {
    expect(build({ version: '1.16.0-preview.1' }).extension.version).toBe('1.16.0-preview.1');
  });
});

describe('scope', () => {
  test('namespace scope for another extension type', () => {
    const { extension } = build({ extensionType: OTHER, name: 'monitor', scope: 'namespace', targetNamespace: 'monitoring' });
    expect(extension.scope).toEqual({ namespace: { targetNamespace: 'monitoring' } });
    expectValidBody(extensionPutBody(extension));
  });

  test.each([
    ['--target-namespace with cluster scope', { scope: 'cluster', targetNamespace: 'x' }, '--target-namespace'],
    ['--target-namespace with the default scope', { targetNamespace: 'x' }, '--target-namespace'],
    ['namespace scope without --target-namespace', { extensionType: OTHER, scope: 'namespace' }, '--target-namespace'],
    ['--release-namespace with namespace scope', { extensionType: OTHER, scope: 'namespace', targetNamespace: 'x', releaseNamespace: 'y' }, '--release-namespace'],
    ['microsoft.flux with namespace scope', { scope: 'namespace', targetNamespace: 'x' }, '--scope'],
    ['an unknown scope', { scope: 'tenant' }, '--scope'],
    ['an invalid release namespace', { releaseNamespace: 'Flux_System' }, '--release-namespace'],
    ['an invalid target namespace', { extensionType: OTHER, scope: 'namespace', targetNamespace: '-x' }, '--target-namespace'],
    ['an invalid name', { name: 'flux/1' }, '-n/--name'],
    ['an invalid extension type', { extensionType: 'flux' }, '--extension-type'],
  ])('%s is rejected', (_why, flags, flag) => {
    const err = expectUsageError(() => build(flags));
    expect(err.flag).toBe(flag);
    expect(err.message).toContain(flag);
  });

  test('the microsoft.flux refusal names the type', () => {
    const err = expectUsageError(() => build({ extensionType: 'Microsoft.Flux', scope: 'namespace', targetNamespace: 'x' }));
    expect(err.message).toContain('microsoft.flux');
  });
});

describe('plan', () => {
  test('all three together', () => {
    const { extension } = build({ extensionType: OTHER, planName: 'p', planProduct: 'prod', planPublisher: 'pub' });
    expect(extension.plan).toEqual({ name: 'p', product: 'prod', publisher: 'pub' });
    const body = extensionPutBody(extension);
    expect(body.plan).toEqual({ name: 'p', product: 'prod', publisher: 'pub' });
    expectValidBody(body);
  });

  test.each([
    [{ planName: 'p' }, '--plan-product'],
    [{ planProduct: 'prod' }, '--plan-name'],
    [{ planPublisher: 'pub' }, '--plan-name'],
    [{ planName: 'p', planProduct: 'prod' }, '--plan-publisher'],
    [{ planName: 'p', planPublisher: 'pub' }, '--plan-product'],
  ])('%j is rejected naming what is missing', (flags, missing) => {
    const err = expectUsageError(() => build({ extensionType: OTHER, ...flags }));
    expect(err.flag).toBe(missing);
    expect(err.message).toContain(missing);
  });
});

describe('settings', () => {
  test('inline settings, repeatable, split on the first =', () => {
    const { extension } = build({ config: [['a=1', 'b=x=y'], ['c=']] });
    expect(extension.configurationSettings).toEqual({ a: '1', b: 'x=y', c: '' });
  });

  test.each([
    ['JSON', '{"helm-controller.enabled": true, "image-automation-controller.enabled": false, "replicas": 5, "logLevel": "debug"}'],
    ['YAML', 'helm-controller.enabled: true\nimage-automation-controller.enabled: false\nreplicas: 5\nlogLevel: debug\n'],
  ])('a %s settings file: numbers and booleans become JSON text', (_format, text) => {
    const { extension } = build({ configFile: 'settings' }, 'managedClusters', fakeInput({ files: { settings: text } }));
    expect(extension.configurationSettings).toEqual({
      'helm-controller.enabled': 'true',
      'image-automation-controller.enabled': 'false',
      replicas: '5',
      logLevel: 'debug',
    });
    expectValidBody(extensionPutBody(extension));
  });

  test('inline settings override the file', () => {
    const input = fakeInput({ files: { settings: '{"a": "file", "b": "file"}' } });
    const { extension } = build({ configFile: 'settings', config: [['b=inline', 'c=inline']] }, 'managedClusters', input);
    expect(extension.configurationSettings).toEqual({ a: 'file', b: 'inline', c: 'inline' });
  });

  test.each([
    ['a nested object', '{"helm-controller": {"enabled": true}}', 'helm-controller'],
    ['a list', '{"namespaces": ["a", "b"]}', 'namespaces'],
    ['a null', 'key: null\n', 'key'],
    ['a document that is a list', '- a\n', 'settings'],
    ['invalid YAML', 'a: [\n', 'settings'],
  ])('a settings file with %s is rejected', (_why, text, named) => {
    const err = expectUsageError(() => build({ configFile: 'settings' }, 'managedClusters', fakeInput({ files: { settings: text } })));
    expect(err.flag).toBe('--config-file');
    expect(err.message).toContain(named);
  });

  test('a missing settings file is rejected', () => {
    const err = expectUsageError(() => build({ configProtectedFile: 'nope.json' }));
    expect(err.message).toContain('--config-protected-file');
    expect(err.message).toContain('nope.json');
  });

  test.each([
    ['--config', { config: [['novalue']] }],
    ['--config-protected', { configProtected: [['=x']] }],
  ])('a %s token without key=value is rejected', (flag, flags) => {
    const err = expectUsageError(() => build(flags));
    expect(err.message).toContain(flag);
    expect(err.message).toContain('key=value');
  });

  test('protected settings from flags and file, file overridden inline, all redacted', () => {
    const input = fakeInput({ files: { prot: '{"a": "ext-file-secret-1", "b": "ext-file-secret-2"}', tok: 'ext-file-secret-3' } });
    const { extension } = build({ configProtectedFile: 'prot', configProtected: [['b=@tok', 'c=ext-literal-secret-4']] }, 'connectedClusters', input);
    expect(extension.configurationProtectedSettings).toEqual({ a: 'ext-file-secret-1', b: 'ext-file-secret-3', c: 'ext-literal-secret-4' });
    expect(input.warnings).toHaveLength(1);
    expect(input.warnings[0]).toContain('--config-protected');
    const body = extensionPutBody(extension);
    expect(body.properties).toMatchObject({ configurationProtectedSettings: { a: 'ext-file-secret-1', b: 'ext-file-secret-3', c: 'ext-literal-secret-4' } });
    expectValidBody(body);
    const printed = redactor.redact(JSON.stringify(body));
    for (const secret of ['ext-file-secret-1', 'ext-file-secret-3', 'ext-literal-secret-4']) expect(printed).not.toContain(secret);
    expect(printed).toContain(REDACTED);
  });

  test('a protected setting from standard input', () => {
    const { extension } = build({ configProtected: [['token=-']] }, 'managedClusters', fakeInput({ stdin: 'ext-stdin-secret-5' }));
    expect(extension.configurationProtectedSettings).toEqual({ token: 'ext-stdin-secret-5' });
    expect(redactor.redact('ext-stdin-secret-5')).not.toContain('ext-stdin-secret-5');
  });

  test('plain settings are not redacted', () => {
    const { extension } = build({ config: [['ext-plain-key=ext-plain-value-6']] });
    expect(redactor.redact(JSON.stringify(extensionPutBody(extension)))).toContain('ext-plain-value-6');
  });

  test('no configurationProtectedSettings member without protected settings', () => {
    expect('configurationProtectedSettings' in (extensionPutBody(build({}).extension).properties as object)).toBe(false);
  });
});

describe('every body is valid against both swagger versions', () => {
  test.each([
    ['defaults on AKS', {}, 'managedClusters'],
    ['defaults on Arc', {}, 'connectedClusters'],
    ['defaults on Azure Local', {}, 'provisionedClusters'],
    ['pinned', { version: '1.15.1' }, 'connectedClusters'],
    ['release train', { releaseTrain: 'Preview', autoUpgradeMinorVersion: 'true' }, 'managedClusters'],
    ['settings', { config: [['multiTenancy.enforce=false', 'helm-controller.enabled=true']] }, 'managedClusters'],
    ['other release namespace', { releaseNamespace: 'gitops' }, 'managedClusters'],
    ['namespace scope with a plan', { extensionType: OTHER, name: 'm', scope: 'namespace', targetNamespace: 'mon', planName: 'p', planProduct: 'q', planPublisher: 'r' }, 'connectedClusters'],
  ] as const)('%s', (_why, flags, clusterType) => {
    const body = extensionPutBody(build({ ...flags } as ExtensionFlags, clusterType).extension);
    expectValidBody(body);
  });
});

describe("other extension types get their own defaults", () => {
  test.each(['connectedClusters', 'provisionedClusters', 'managedClusters'] as const)('microsoft.dapr on %s: no scope, no identity', (clusterType) => {
    const { extension } = build({ extensionType: 'microsoft.dapr', name: 'dapr' }, clusterType);
    expect(extension.scope).toBeUndefined();
    expect(extension.identity).toBeUndefined();
    const body = extensionPutBody(extension);
    expect(body).toEqual({ properties: { extensionType: 'microsoft.dapr', configurationSettings: {} } });
    expectValidBody(body);
  });

  test.each([
    ['microsoft.azuremonitor.containers', 'connectedClusters', { type: 'SystemAssigned' }],
    ['microsoft.azuredefender.kubernetes', 'provisionedClusters', { type: 'SystemAssigned' }],
    ['microsoft.azureml.kubernetes', 'connectedClusters', { type: 'SystemAssigned' }],
    ['microsoft.azuremonitor.containers', 'managedClusters', undefined],
    ['microsoft.openservicemesh', 'connectedClusters', undefined],
    ['contoso.widgets', 'connectedClusters', undefined],
  ] as const)('%s on %s: identity %j', (extensionType, clusterType, identity) => {
    const { extension } = build({ extensionType, name: 'x' }, clusterType);
    expect(extension.identity).toEqual(identity);
    expect(extension.scope).toBeUndefined();
  });

  test('--identity asks for one, or for none, whatever the type', () => {
    expect(build({ extensionType: 'microsoft.dapr', identity: 'systemassigned' }, 'connectedClusters').extension.identity).toEqual({ type: 'SystemAssigned' });
    expect(build({ extensionType: 'microsoft.dapr', identity: 'SystemAssigned' }, 'managedClusters').extension.identity).toEqual({ type: 'SystemAssigned' });
    expect(build({ identity: 'None' }, 'connectedClusters').extension.identity).toBeUndefined();
    const err = expectUsageError(() => build({ identity: 'UserAssigned' }));
    expect(err.flag).toBe('--identity');
    expect(err.remedy).toContain('SystemAssigned');
  });

  test('--scope cluster without a namespace leaves the release namespace to the type', () => {
    const { extension } = build({ extensionType: 'microsoft.dapr', scope: 'cluster' });
    expect(extension.scope).toEqual({ cluster: {} });
    expectValidBody(extensionPutBody(extension));
  });

  test('--release-namespace alone means cluster scope in that namespace, for any type', () => {
    expect(build({ extensionType: 'microsoft.dapr', releaseNamespace: 'dapr-system' }).extension.scope).toEqual({ cluster: { releaseNamespace: 'dapr-system' } });
  });

  test('namespace scope is refused for microsoft.flux only', () => {
    expect(build({ extensionType: 'microsoft.dapr', scope: 'namespace', targetNamespace: 'apps' }).extension.scope).toEqual({ namespace: { targetNamespace: 'apps' } });
    expect(expectUsageError(() => build({ scope: 'namespace', targetNamespace: 'apps' })).flag).toBe('--scope');
  });
});

describe('the Flux extension installed by flux config create', () => {
  test('nothing chosen: Azure defaults (no version, no train)', () => {
    expect(fluxInstallFlags({}, {})).toEqual({ flags: {}, sources: [] });
    expect(fluxInstallFlags({}, { FLUX_EXTENSION_VERSION: '', FLUX_EXTENSION_RELEASETRAIN: '  ' })).toEqual({ flags: {}, sources: [] });
  });

  test('FLUX_EXTENSION_VERSION pins the version and turns minor auto-upgrades off, as ARM requires', () => {
    const { flags, sources } = fluxInstallFlags({}, { FLUX_EXTENSION_VERSION: '1.14.1' });
    expect(flags).toEqual({ version: '1.14.1', autoUpgradeMinorVersion: false });
    expect(sources.join()).toContain('FLUX_EXTENSION_VERSION');
    const body = extensionPutBody(build(flags, 'connectedClusters').extension);
    expect(body.properties).toMatchObject({ version: '1.14.1', autoUpgradeMinorVersion: false });
    expectValidBody(body);
  });

  test('FLUX_EXTENSION_RELEASETRAIN chooses the train and leaves auto-upgrade on', () => {
    const { flags } = fluxInstallFlags({}, { FLUX_EXTENSION_RELEASETRAIN: 'Preview' });
    expect(flags).toEqual({ releaseTrain: 'Preview' });
    expect(extensionPutBody(build(flags).extension).properties).not.toHaveProperty('autoUpgradeMinorVersion');
  });

  test('the flags win over the variables', () => {
    const { flags, sources } = fluxInstallFlags({ extensionVersion: '1.15.0', extensionReleaseTrain: 'Stable' }, { FLUX_EXTENSION_VERSION: '1.14.1', FLUX_EXTENSION_RELEASETRAIN: 'Preview' });
    expect(flags).toEqual({ version: '1.15.0', autoUpgradeMinorVersion: false, releaseTrain: 'Stable' });
    expect(sources.join()).toContain('--extension-version');
  });

  test.each([
    [{}, { FLUX_EXTENSION_VERSION: 'latest' }, 'FLUX_EXTENSION_VERSION'],
    [{}, { FLUX_EXTENSION_RELEASETRAIN: 'not a train' }, 'FLUX_EXTENSION_RELEASETRAIN'],
    [{ extensionVersion: '1.2' }, {}, '--extension-version'],
    [{ extensionReleaseTrain: '-x' }, {}, '--extension-release-train'],
  ])('a bad value is refused naming where it came from: %j %j', (flags, env, where) => {
    const err = expectUsageError(() => fluxInstallFlags(flags, env));
    expect(err.flag).toBe(where);
  });
});

describe('what an extension update would change', () => {
  const held = { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: true, releaseTrain: 'Stable', version: null, configurationSettings: { 'multiTenancy.enforce': 'false' } };

  test('nothing, when Azure holds every value asked for', () => {
    expect(extensionPatchChange(held, { properties: { releaseTrain: 'stable', autoUpgradeMinorVersion: true, configurationSettings: { 'multiTenancy.enforce': 'false' } } })).toBeUndefined();
    expect(extensionPatchChange(held, { properties: { version: null } })).toBeUndefined();
  });

  test('only the values that differ', () => {
    expect(extensionPatchChange(held, { properties: { releaseTrain: 'Preview', configurationSettings: { 'multiTenancy.enforce': 'false', 'helm-controller.detectDrift': 'true' } } })).toEqual({
      properties: { releaseTrain: 'Preview', configurationSettings: { 'helm-controller.detectDrift': 'true' } },
    });
  });

  test('protected settings cannot be read back, so they are always a change', () => {
    expect(extensionPatchChange(held, { properties: { configurationProtectedSettings: { token: 'x' } } })).toEqual({ properties: { configurationProtectedSettings: { token: 'x' } } });
  });

  test('a setting named like an Object member is compared as data', () => {
    expect(extensionPatchChange({ configurationSettings: {} }, { properties: { configurationSettings: { constructor: 'x', toString: 'y' } } })).toEqual({ properties: { configurationSettings: { constructor: 'x', toString: 'y' } } });
  });

  test('extensionHolds: the type, scope, version and settings asked for', () => {
    const resource = { properties: { ...held, scope: { cluster: { releaseNamespace: 'flux-system' } } } };
    expect(extensionHolds(resource, build({}).extension)).toBe(true);
    expect(extensionHolds(resource, build({ config: [['multiTenancy.enforce=false']] }).extension)).toBe(true);
    expect(extensionHolds(resource, build({ config: [['multiTenancy.enforce=true']] }).extension)).toBe(false);
    expect(extensionHolds(resource, build({ releaseNamespace: 'gitops' }).extension)).toBe(false);
    expect(extensionHolds(resource, build({ version: '1.2.3' }).extension)).toBe(false);
    expect(extensionHolds(resource, build({ extensionType: 'microsoft.dapr' }).extension)).toBe(false);
  });
});
