/**
 * The Flux extension on an Azure Kubernetes Fleet Manager hub (-t fleets, a preview in Azure):
 * create, show, list and delete against the emulator's hub fleet1, at the extensions API
 * version that knows fleets; microsoft.flux only; and every other command refuses a hub before
 * anything is sent.
 */
import { beforeEach, describe, expect, test } from '@jest/globals';
import { errors, useE2E, writes } from './helpers.js';

const e2e = useE2E();
const ON_FLEET = ['-g', 'rg', '-c', 'fleet1', '-t', 'fleets'];
const HUB = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ContainerService/fleets/fleet1';

beforeEach(async () => {
  await e2e.reset();
});

describe('extension -t fleets', () => {
  test('create, show, list and delete the Flux extension on the hub', async () => {
    const created = await e2e.cliAsync(['extension', 'create', ...ON_FLEET, '-o', 'json']);
    expect({ status: created.status, errors: errors(created.stderr) }).toEqual({ status: 0, errors: [] });
    expect(created.json()).toMatchObject({ name: 'flux', extensionType: 'microsoft.flux', provisioningState: 'Succeeded', identity: { type: 'SystemAssigned' } });
    const log = await e2e.requests();
    const put = writes(log).find((r) => r.method === 'PUT')!;
    expect(put.path).toBe(`${HUB}/providers/Microsoft.KubernetesConfiguration/extensions/flux`);
    expect(put.query['api-version']).toBe('2025-03-01');
    expect(put.body).toMatchObject({ identity: { type: 'SystemAssigned' }, properties: { extensionType: 'microsoft.flux' } });
    expect(log.find((r) => r.path === HUB)?.query['api-version']).toBe('2025-03-01');

    const shown = await e2e.cliAsync(['extension', 'show', ...ON_FLEET, '--query', 'provisioningState', '-o', 'tsv']);
    expect(shown.stdout.trim()).toBe('Succeeded');
    const listed = await e2e.cliAsync(['extension', 'list', ...ON_FLEET, '--query', '[].name', '-o', 'tsv']);
    expect(listed.stdout.trim()).toBe('flux');

    await e2e.clearRequests();
    const deleted = await e2e.cliAsync(['extension', 'delete', ...ON_FLEET, '--yes']);
    expect({ status: deleted.status, errors: errors(deleted.stderr) }).toEqual({ status: 0, errors: [] });
    const sent = await e2e.requests();
    expect(writes(sent).map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE ${HUB}/providers/Microsoft.KubernetesConfiguration/extensions/flux`]);
    expect(sent.some((r) => r.path.includes('fluxConfigurations'))).toBe(false); // a hub has none to warn about
  });

  test.each([
    [['extension', 'create', ...ON_FLEET, '--extension-type', 'microsoft.dapr'], '--extension-type'],
    [['flux', 'config', 'list', ...ON_FLEET], '-t/--cluster-type'],
    [['flux', 'config', 'create', ...ON_FLEET, '-n', 'c', '-u', 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt'], '-t/--cluster-type'],
    [['status', ...ON_FLEET], '-t/--cluster-type'],
  ])('%j: exit 2 naming %s, nothing sent', async (args, flag) => {
    const run = await e2e.cliAsync(args);
    expect(run.status).toBe(2);
    expect(errors(run.stderr)[0]).toContain(flag);
    expect(await e2e.requests()).toEqual([]);
  });
});
