/**
 * How `flux config diff` prints a difference: the list `-o json` gives (Azure's changes, then the
 * cluster's, one entry per field), and the text for people, in colour only when asked.
 */
import { describe, expect, test } from '@jest/globals';
import { Chalk } from 'chalk';
import { changeList, differs, renderDiff, type DiffReport } from '../../src/commands/flux/config/diff-view.js';

const plain = new Chalk({ level: 0 });
const colour = new Chalk({ level: 1 });

const report: DiffReport = {
  name: 'cluster-config',
  clusterName: 'aks1',
  azure: {
    changes: [
      { path: 'gitRepository.repositoryRef.branch', change: 'changed', from: 'main', to: 'release' },
      { path: 'kustomizations.extra', change: 'added', to: { path: './extra' } },
      { path: 'kustomizations.old', change: 'removed', from: { path: './old' } },
      { path: 'configurationProtectedSettings.httpsKey', change: 'sent' },
    ],
    ignored: [],
    kindChanged: false,
  },
  live: {
    context: 'aks1',
    objects: [
      { kind: 'Kustomization', namespace: 'cluster-config', name: 'cluster-config-apps', change: 'changed', fields: [{ path: 'spec.path', change: 'changed', from: './x', to: './apps' }] },
      { kind: 'Kustomization', namespace: 'cluster-config', name: 'cluster-config-extra', change: 'added', fields: [] },
    ],
  },
};

describe('the diff view', () => {
  test('text: + - ~ !, the cluster per object, a closing count; no colour unless asked', () => {
    expect(renderDiff(report, plain)).toBe(
      [
        "Flux configuration 'cluster-config' on aks1, in Azure (what flux config update would send):",
        '  ~ gitRepository.repositoryRef.branch: "main" → "release"',
        '  + kustomizations.extra: {"path":"./extra"}',
        '  - kustomizations.old: {"path":"./old"}',
        '  ! configurationProtectedSettings.httpsKey: would be (re)sent; Azure never returns it, so it is not compared (value not shown)',
        '',
        "In the cluster (context aks1), live → as Azure's agent makes them:",
        '  ~ Kustomization cluster-config/cluster-config-apps',
        '      ~ spec.path: "./x" → "./apps"',
        '  + Kustomization cluster-config/cluster-config-extra (not in the cluster)',
        '',
        '4 changes in Azure, 2 objects differing in the cluster. Nothing was sent.',
        '',
      ].join('\n'),
    );
    const coloured = renderDiff(report, colour);
    expect(coloured).toContain('\u001b[32m  + kustomizations.extra');
    expect(coloured).toContain('\u001b[31m  - kustomizations.old');
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(renderDiff(report, plain));
  });

  test('no difference: one line each, and differs() says so', () => {
    const none: DiffReport = { ...report, azure: { ...report.azure, changes: [] }, live: { context: 'aks1', objects: [] } };
    expect(differs(none)).toBe(false);
    expect(renderDiff(none, plain)).toBe("No changes: 'cluster-config' in Azure is already as asked.\n\nThe cluster (context aks1) holds the Flux objects Azure's agent makes from it.\n");
    expect(differs({ ...none, live: report.live! })).toBe(true);
  });

  test('the list: a target on every entry, an object for the cluster’s, a whole object once', () => {
    expect(changeList(report)).toEqual([
      { target: 'azure', path: 'gitRepository.repositoryRef.branch', change: 'changed', from: 'main', to: 'release' },
      { target: 'azure', path: 'kustomizations.extra', change: 'added', to: { path: './extra' } },
      { target: 'azure', path: 'kustomizations.old', change: 'removed', from: { path: './old' } },
      { target: 'azure', path: 'configurationProtectedSettings.httpsKey', change: 'sent' },
      { target: 'cluster', object: 'Kustomization/cluster-config/cluster-config-apps', path: 'spec.path', change: 'changed', from: './x', to: './apps' },
      { target: 'cluster', object: 'Kustomization/cluster-config/cluster-config-extra', change: 'added' },
    ]);
  });
});
