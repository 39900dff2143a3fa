/**
 * The kubeconfig the emulator writes into its state directory: one cluster, user and context per
 * emulated cluster (context name = cluster name, current context aks1), each cluster's server
 * being `https://127.0.0.1:PORT/k8s/<cluster>`, trusted through the emulator's certificate, and
 * each user holding that cluster's bearer token. The user names follow `az aks get-credentials`.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { RESOURCE_GROUP } from '../constants.js';
import { secret, type Json } from '../util.js';
import { KUBE_PREFIX } from './api.js';

export const KUBECONFIG_FILE = 'kubeconfig';
export const CURRENT_CONTEXT = 'aks1';

/** A fresh bearer token for every cluster (they survive resets, like the ARM tokens). */
export function clusterTokens(names: readonly string[]): Map<string, string> {
  return new Map(names.map((name) => [name, secret(32)]));
}

export const userName = (cluster: string): string => `clusterUser_${RESOURCE_GROUP}_${cluster}`;

export function kubeconfig(baseUrl: string, caPath: string, tokens: ReadonlyMap<string, string>): Json {
  const names = [...tokens.keys()];
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': names.includes(CURRENT_CONTEXT) ? CURRENT_CONTEXT : names[0],
    clusters: names.map((name) => ({ name, cluster: { server: `${baseUrl}${KUBE_PREFIX}/${name}`, 'certificate-authority': caPath } })),
    contexts: names.map((name) => ({ name, context: { cluster: name, user: userName(name) } })),
    users: names.map((name) => ({ name: userName(name), user: { token: tokens.get(name)! } })),
  };
}

export function writeKubeconfig(path: string, baseUrl: string, caPath: string, tokens: ReadonlyMap<string, string>): void {
  writeFileSync(path, stringify(kubeconfig(baseUrl, caPath, tokens)), { mode: 0o600 });
  chmodSync(path, 0o600);
}
