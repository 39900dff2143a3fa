/**
 * The Azure credential: @azure/identity's standard chain (environment, workload identity,
 * managed identity, Azure CLI, Azure PowerShell, Azure Developer CLI), with short retries so
 * that an endpoint that refuses the connection fails the command in a second or so rather than
 * after the library's default backoff (about 19 s), and with a failure that says which
 * credentials were tried, why each one failed (--debug), and what to do.
 */
import { connect } from 'node:net';
import type { TokenCredential } from '@azure/core-auth';
import type { Context } from '../core/context.js';
import { AuthError } from '../core/errors.js';

/** Retries of every credential's own HTTP requests (token endpoints). */
const CREDENTIAL_RETRIES = { maxRetries: 2, retryDelayInMs: 250, maxRetryDelayInMs: 1000 };

export async function createCredential(): Promise<TokenCredential> {
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new DefaultAzureCredential({ retryOptions: CREDENTIAL_RETRIES });
}

/** The credentials of the chain, recognised by what their errors say. */
const KNOWN: ReadonlyArray<readonly [RegExp, string]> = [
  [/EnvironmentCredential/, 'environment variables (EnvironmentCredential)'],
  [/WorkloadIdentityCredential|AZURE_FEDERATED_TOKEN_FILE/, 'workload identity (WorkloadIdentityCredential)'],
  [/ManagedIdentityCredential/, 'managed identity (ManagedIdentityCredential)'],
  [/Visual Studio Code/, 'Visual Studio Code (VisualStudioCodeCredential)'],
  [/Azure Developer CLI|azd /, 'Azure Developer CLI (AzureDeveloperCliCredential)'],
  [/Azure CLI|az login|'az'/, 'Azure CLI (AzureCliCredential)'],
  [/PowerShell/, 'Azure PowerShell (AzurePowerShellCredential)'],
  [/[Bb]roker/, 'broker (BrokerCredential)'],
];

export interface CredentialFailure {
  credential: string;
  reason: string;
}

/** One line of an SDK message, without the links to troubleshooting pages. */
function shorten(message: string): string {
  const line = message.split('\n')[0]!.replace(/[:\s]*\s(To troubleshoot, visit|See|Please visit) https?:\/\/\S+( for [^.]*)?\.?/g, '').trim();
  return line.length > 300 ? `${line.slice(0, 297)}…` : line;
}

/** Why each credential of a failed chain failed, in the chain's order. */
export function credentialFailures(err: unknown): CredentialFailure[] {
  const errors = (err as { errors?: unknown[] }).errors;
  const list = Array.isArray(errors) && errors.length > 0 ? errors : [err];
  return list.map((e, i) => {
    const message = String((e as Error)?.message ?? e);
    const credential = KNOWN.find(([re]) => re.test(message))?.[1] ?? `credential ${i + 1}`;
    return { credential, reason: shorten(message.replace(/^[A-Za-z]+Credential(: | is )/, '')) };
  });
}

/** Whether a TCP connection to the host of `url` is refused (answers within `ms`, or not). */
function refuses(url: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve(false);
      return;
    }
    const port = Number(target.port || (target.protocol === 'http:' ? 80 : 443));
    const socket = connect({ host: target.hostname.replace(/^\[|\]$/g, ''), port });
    const done = (refused: boolean): void => {
      socket.destroy();
      resolve(refused);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once('connect', () => done(false));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED'));
  });
}

/**
 * The error for a chain in which no credential worked: with --debug each credential and its
 * reason; always what to do. A managed-identity endpoint given in IDENTITY_ENDPOINT that
 * refuses connections is named (a local endpoint that went away, such as a stopped emulator,
 * is the usual cause).
 */
export async function noCredentialError(ctx: Context, err: unknown): Promise<AuthError> {
  const failures = credentialFailures(err);
  const endpoint = ctx.env.IDENTITY_ENDPOINT || ctx.env.MSI_ENDPOINT;
  const endpointRefused = endpoint ? await refuses(endpoint, 1000) : false;
  for (const f of failures) {
    const reason = endpointRefused && /managed identity/.test(f.credential) ? `${endpoint} refused the connection (${f.reason})` : f.reason;
    ctx.log.debug(`credential ${f.credential}: ${reason}`);
  }
  const tried = failures.map((f) => f.credential.replace(/ \(.*\)$/, '')).join(', ');
  const remedies = [
    'Sign in with az login, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) for a service principal.',
  ];
  if (endpointRefused) {
    remedies.push(
      `IDENTITY_ENDPOINT (${endpoint}) refuses connections: if it was the k8s-gitops emulator, start it again, or unset its variables (AZURE_RESOURCE_MANAGER_ENDPOINT, AZURE_SUBSCRIPTION_ID, NODE_EXTRA_CA_CERTS, IDENTITY_ENDPOINT, IDENTITY_HEADER, KUBECONFIG) to use Azure.`,
    );
  }
  if (!ctx.options.debug) remedies.push('Run with --debug to see why each credential failed.');
  return new AuthError(`no Azure credential worked (tried: ${tried || 'none'}).`, remedies.join(' '));
}
