import { EXTENSION_API_VERSION, FLUX_API_VERSION, PROVIDER_NAMESPACE } from '../model/arm.js';

declare const __K8S_GITOPS_VERSION__: string | undefined;

/** Set by the build from package.json. */
export const VERSION = typeof __K8S_GITOPS_VERSION__ === 'string' ? __K8S_GITOPS_VERSION__ : '0.0.0-dev';

export function versionText(): string {
  return [
    `k8s-gitops ${VERSION}`,
    `${PROVIDER_NAMESPACE} API versions:`,
    `  fluxConfigurations  ${FLUX_API_VERSION}`,
    `  extensions          ${EXTENSION_API_VERSION}`,
    `Node.js ${process.versions.node}`,
  ].join('\n');
}
