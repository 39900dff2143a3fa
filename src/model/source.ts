/**
 * Source blocks from flags: each flag given is parsed into its typed value, and only the fields
 * given end up in the block (`overlaySource` lays it over a file's or Azure's block). Secrets
 * are read here (literal, @file or -) and go either to `configurationProtectedSettings` (git,
 * bucket: as az does) or into the source block itself (Azure Blob, OCI TLS: where the ARM
 * schema keeps them). The value parsers are shared with `-f` (src/model/file.ts), so a file's
 * value passes exactly the checks of the flag that sets it.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { echo } from '../core/echo.js';
import { UsageError } from '../core/errors.js';
import { redactor } from '../core/redact.js';
import { parseDurationSeconds } from './duration.js';
import { FLAG, type FluxConfigFlags } from './flags.js';
import { decodeMaybeBase64, readFileOrStdinFor, readSecret, readValue, type InputReader } from './input.js';
import { checkKnownHosts, checkSshPrivateKey } from './ssh.js';
import type { AzureBlobDef, BucketDef, GitProvider, GitRepositoryDef, OciRepositoryDef, SourceTiming } from './types.js';
import { parseBoolean, parseChoice, parseObjectName, setOwn, splitKeyValue } from './values.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const isPem = (text: string): boolean => text.includes('-----BEGIN ');

export function applyTiming(flags: FluxConfigFlags, block: SourceTiming): void {
  if (flags.interval !== undefined) block.syncIntervalInSeconds = parseDurationSeconds(FLAG.interval, flags.interval);
  if (flags.timeout !== undefined) block.timeoutInSeconds = parseDurationSeconds(FLAG.timeout, flags.timeout);
}

function localAuthRef(flags: FluxConfigFlags): string | undefined {
  return flags.localAuthRef === undefined ? undefined : parseObjectName(FLAG.localAuthRef, flags.localAuthRef, 'secret name', 253);
}

/** A PEM certificate (or bundle), given as text or base64; checked with node:crypto. Returns base64. */
export function certificateValue(flag: string, raw: string): string {
  const pem = decodeMaybeBase64(flag, raw, isPem);
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) throw new UsageError(flag, 'no PEM certificate found (expected -----BEGIN CERTIFICATE-----).');
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      throw new UsageError(flag, 'a certificate in the value could not be parsed.', 'Give a PEM-encoded X.509 certificate.');
    }
  }
  return b64(pem);
}

/** known_hosts given as its text or base64, checked line by line. Returns base64. */
export function knownHostsValue(flag: string, raw: string): string {
  // known_hosts lines separate their fields with spaces or tabs; base64 (even wrapped) has none.
  const text = decodeMaybeBase64(flag, raw, (t) => /[ \t]/.test(t.trim()));
  const problems = checkKnownHosts(text);
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new UsageError(flag, `known_hosts line ${first.line}: ${first.reason}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, 'Each line needs: host[,host…] key-type base64-key, as ssh-keyscan prints it.');
  }
  return b64(text);
}

/** An SSH private key given as its text or base64, checked with node:crypto. Returns base64 (ending in a newline, as Flux needs). */
export function sshPrivateKeyValue(flag: string, raw: string): string {
  let text = decodeMaybeBase64(flag, raw, isPem);
  redactor.add(text);
  const check = checkSshPrivateKey(text);
  if (!check.ok) throw new UsageError(flag, `the SSH private key is not usable: ${check.reason}`, 'Give an unencrypted RSA, ECDSA, Ed25519 or DSA key in PEM or OpenSSH format.');
  if (!text.endsWith('\n')) text += '\n'; // Flux needs the key file to end with a newline.
  const encoded = b64(text);
  redactor.add(encoded);
  return encoded;
}

/** A PEM private key (TLS client key) given as its text or base64, checked. Returns base64. */
export function privateKeyValue(flag: string, raw: string): string {
  const text = decodeMaybeBase64(flag, raw, isPem);
  redactor.add(text);
  try {
    createPrivateKey(text);
  } catch {
    throw new UsageError(flag, 'the private key could not be parsed.', 'Give an unencrypted PEM private key (PKCS#8, PKCS#1 or SEC1).');
  }
  const encoded = b64(text);
  redactor.add(encoded);
  return encoded;
}

/** A service principal's client certificate: PEM text is sent base64-encoded, base64 as is. */
export function spCertificateValue(raw: string): string {
  const value = isPem(raw) ? b64(raw) : raw.replace(/\s+/g, '');
  redactor.add(value);
  return value;
}

/** The variant of a flag that takes a file path, or the inline flag (value, @file or -). */
function inlineOrFile(flags: FluxConfigFlags, inline: 'sshPrivateKey' | 'httpsCaCert' | 'knownHosts', file: 'sshPrivateKeyFile' | 'httpsCaCertFile' | 'knownHostsFile', input: InputReader, secret: boolean): string | undefined {
  const a = flags[inline];
  const f = flags[file];
  if (a !== undefined && f !== undefined) {
    throw new UsageError(FLAG[inline], `cannot be combined with ${FLAG[file]}.`, 'Give the value or the file, not both.');
  }
  if (f !== undefined) {
    const text = readFileOrStdinFor(FLAG[file], f, input);
    if (secret) redactor.add(text);
    return text;
  }
  if (a === undefined) return undefined;
  return secret ? readSecret(FLAG[inline], a, input) : readValue(FLAG[inline], a, input);
}

/** The reference flags given (trimmed, never empty), or undefined when none was. */
function refFromFlags<K extends 'branch' | 'tag' | 'semver' | 'commit' | 'digest'>(flags: FluxConfigFlags, keys: readonly K[]): Partial<Record<K, string>> | undefined {
  const given = keys.filter((k) => flags[k] !== undefined);
  if (given.length === 0) return undefined;
  const ref: Partial<Record<K, string>> = {};
  for (const k of given) {
    const v = (flags[k] as string).trim();
    if (!v) throw new UsageError(FLAG[k], 'must not be empty.');
    ref[k] = v;
  }
  return ref;
}

export interface GitExtras {
  /** base64 of the private key file, for configurationProtectedSettings.sshPrivateKey */
  sshPrivateKey?: string;
  /** base64 of the HTTPS password or token, for configurationProtectedSettings.httpsKey */
  httpsKey?: string;
}

/** The git fields the flags give (nothing else), and the secrets that go to the protected settings. */
export function gitFromFlags(flags: FluxConfigFlags, input: InputReader): { block: Partial<GitRepositoryDef>; extras: GitExtras } {
  const block: Partial<GitRepositoryDef> = {};
  const extras: GitExtras = {};
  if (flags.url !== undefined) block.url = flags.url.trim();
  applyTiming(flags, block);
  // Any ref flag replaces the file's ref: mixing a file's branch with a flag's tag is never meant.
  const gitRef = refFromFlags(flags, ['branch', 'tag', 'semver', 'commit']);
  if (gitRef) block.repositoryRef = gitRef;
  const key = inlineOrFile(flags, 'sshPrivateKey', 'sshPrivateKeyFile', input, true);
  if (key !== undefined) extras.sshPrivateKey = sshPrivateKeyValue(flags.sshPrivateKeyFile !== undefined ? FLAG.sshPrivateKeyFile : FLAG.sshPrivateKey, key);
  const hosts = inlineOrFile(flags, 'knownHosts', 'knownHostsFile', input, false);
  if (hosts !== undefined) block.sshKnownHosts = knownHostsValue(flags.knownHostsFile !== undefined ? FLAG.knownHostsFile : FLAG.knownHosts, hosts);
  const ca = inlineOrFile(flags, 'httpsCaCert', 'httpsCaCertFile', input, false);
  if (ca !== undefined) block.httpsCACert = certificateValue(flags.httpsCaCertFile !== undefined ? FLAG.httpsCaCertFile : FLAG.httpsCaCert, ca);
  if (flags.httpsUser !== undefined) {
    if (!flags.httpsUser.trim()) throw new UsageError(FLAG.httpsUser, 'must not be empty.');
    block.httpsUser = flags.httpsUser;
  }
  if (flags.httpsKey !== undefined) {
    const secret = readSecret(FLAG.httpsKey, flags.httpsKey, input, { trimTrailingNewline: true });
    extras.httpsKey = b64(secret);
    redactor.add(extras.httpsKey);
  }
  if (flags.provider !== undefined) block.provider = parseChoice(FLAG.provider, flags.provider, ['Azure', 'GitHub', 'Generic'] as const) as GitProvider;
  const ref = localAuthRef(flags);
  if (ref !== undefined) block.localAuthRef = ref;
  return { block, extras };
}

export function bucketFromFlags(flags: FluxConfigFlags, input: InputReader): { block: Partial<BucketDef>; secretKey?: string } {
  const block: Partial<BucketDef> = {};
  let secretKey: string | undefined;
  if (flags.url !== undefined) block.url = flags.url.trim();
  applyTiming(flags, block);
  if (flags.bucketName !== undefined) block.bucketName = flags.bucketName.trim();
  if (flags.bucketAccessKey !== undefined) block.accessKey = flags.bucketAccessKey;
  if (flags.bucketSecretKey !== undefined) {
    secretKey = b64(readSecret(FLAG.bucketSecretKey, flags.bucketSecretKey, input, { trimTrailingNewline: true }));
    redactor.add(secretKey);
  }
  if (flags.bucketInsecure !== undefined) block.insecure = parseBoolean(FLAG.bucketInsecure, flags.bucketInsecure);
  const ref = localAuthRef(flags);
  if (ref !== undefined) block.localAuthRef = ref;
  return secretKey === undefined ? { block } : { block, secretKey };
}

export function azureBlobFromFlags(flags: FluxConfigFlags, input: InputReader): Partial<AzureBlobDef> {
  const block: Partial<AzureBlobDef> = {};
  if (flags.url !== undefined) block.url = flags.url.trim();
  applyTiming(flags, block);
  if (flags.containerName !== undefined) block.containerName = flags.containerName.trim();
  if (flags.accountKey !== undefined) block.accountKey = readSecret(FLAG.accountKey, flags.accountKey, input, { trimTrailingNewline: true });
  if (flags.sasToken !== undefined) block.sasToken = readSecret(FLAG.sasToken, flags.sasToken, input, { trimTrailingNewline: true });
  const sp: NonNullable<AzureBlobDef['servicePrincipal']> = {};
  let spGiven = false;
  if (flags.spClientId !== undefined) ((sp.clientId = flags.spClientId.trim()), (spGiven = true));
  if (flags.spTenantId !== undefined) ((sp.tenantId = flags.spTenantId.trim()), (spGiven = true));
  if (flags.spClientSecret !== undefined) ((sp.clientSecret = readSecret(FLAG.spClientSecret, flags.spClientSecret, input, { trimTrailingNewline: true })), (spGiven = true));
  if (flags.spClientCert !== undefined) {
    sp.clientCertificate = spCertificateValue(readSecret(FLAG.spClientCert, flags.spClientCert, input));
    spGiven = true;
  }
  if (flags.spCertPassword !== undefined) ((sp.clientCertificatePassword = readSecret(FLAG.spCertPassword, flags.spCertPassword, input, { trimTrailingNewline: true })), (spGiven = true));
  if (flags.spCertSendChain !== undefined) ((sp.clientCertificateSendChain = parseBoolean(FLAG.spCertSendChain, flags.spCertSendChain)), (spGiven = true));
  if (spGiven) block.servicePrincipal = sp;
  if (flags.miClientId !== undefined) block.managedIdentity = { clientId: flags.miClientId.trim() };
  const ref = localAuthRef(flags);
  if (ref !== undefined) block.localAuthRef = ref;
  return block;
}

export function ociFromFlags(flags: FluxConfigFlags, input: InputReader): Partial<OciRepositoryDef> {
  const block: Partial<OciRepositoryDef> = {};
  if (flags.url !== undefined) block.url = flags.url.trim();
  applyTiming(flags, block);
  const ociRef = refFromFlags(flags, ['tag', 'semver', 'digest']);
  if (ociRef) block.repositoryRef = ociRef;
  if (flags.ociMediaType !== undefined || flags.ociOperation !== undefined) {
    block.layerSelector = {};
    if (flags.ociMediaType !== undefined) block.layerSelector.mediaType = flags.ociMediaType.trim();
    if (flags.ociOperation !== undefined) block.layerSelector.operation = parseChoice(FLAG.ociOperation, flags.ociOperation, ['extract', 'copy'] as const);
  }
  if (flags.ociInsecure !== undefined) block.insecure = parseBoolean(FLAG.ociInsecure, flags.ociInsecure);
  if (flags.useWorkloadIdentity !== undefined) block.useWorkloadIdentity = parseBoolean(FLAG.useWorkloadIdentity, flags.useWorkloadIdentity);
  if (flags.serviceAccountName !== undefined) block.serviceAccountName = parseObjectName(FLAG.serviceAccountName, flags.serviceAccountName, 'service account name', 253);
  if (flags.tlsCaCertificate !== undefined || flags.tlsClientCertificate !== undefined || flags.tlsPrivateKey !== undefined) {
    block.tlsConfig = {};
    if (flags.tlsCaCertificate !== undefined) block.tlsConfig.caCertificate = certificateValue(FLAG.tlsCaCertificate, readValue(FLAG.tlsCaCertificate, flags.tlsCaCertificate, input));
    if (flags.tlsClientCertificate !== undefined) block.tlsConfig.clientCertificate = certificateValue(FLAG.tlsClientCertificate, readValue(FLAG.tlsClientCertificate, flags.tlsClientCertificate, input));
    if (flags.tlsPrivateKey !== undefined) block.tlsConfig.privateKey = privateKeyValue(FLAG.tlsPrivateKey, readSecret(FLAG.tlsPrivateKey, flags.tlsPrivateKey, input));
  }
  if (flags.verificationProvider !== undefined || flags.matchOidcIdentity !== undefined || flags.verificationConfig !== undefined) {
    block.verify = {};
    if (flags.verificationProvider !== undefined) block.verify.provider = flags.verificationProvider.trim();
    if (flags.matchOidcIdentity !== undefined) {
      block.verify.matchOidcIdentity = flags.matchOidcIdentity.flat().map((token) => parseOidcIdentity(token));
    }
    if (flags.verificationConfig !== undefined) {
      const config: Record<string, string> = {};
      for (const token of flags.verificationConfig.flat()) {
        const [k, v] = splitKeyValue(FLAG.verificationConfig, token, 'NAME=PUBLIC-KEY (or NAME=@FILE)');
        const text = readValue(FLAG.verificationConfig, v, input);
        setOwn(config, k, isPem(text) ? b64(text) : text.trim());
      }
      block.verify.verificationConfig = config;
    }
  }
  const ref = localAuthRef(flags);
  if (ref !== undefined) block.localAuthRef = ref;
  return block;
}

/** `issuer=REGEX,subject=REGEX` or the JSON object az takes. */
function parseOidcIdentity(token: string): { issuer: string; subject: string } {
  const flag = FLAG.matchOidcIdentity;
  let issuer: unknown;
  let subject: unknown;
  if (token.trim().startsWith('{')) {
    try {
      ({ issuer, subject } = JSON.parse(token) as { issuer?: unknown; subject?: unknown });
    } catch {
      throw new UsageError(flag, `'${echo(token)}' is not valid JSON.`);
    }
  } else {
    for (const part of token.split(',')) {
      const [k, v] = splitKeyValue(flag, part, 'issuer=REGEX,subject=REGEX');
      if (k === 'issuer') issuer = v;
      else if (k === 'subject') subject = v;
      else throw new UsageError(flag, `unknown key '${echo(k)}'.`, 'Use issuer=REGEX,subject=REGEX.');
    }
  }
  if (typeof issuer !== 'string' || typeof subject !== 'string' || !issuer || !subject) {
    throw new UsageError(flag, `'${echo(token)}' needs both an issuer and a subject.`, 'Use issuer=REGEX,subject=REGEX.');
  }
  return { issuer, subject };
}

/**
 * Lays the fields `given` (by flags, or a file) over a source block: scalars replace, nested
 * blocks (service principal, layer selector, TLS, verification) merge one level deep, and a
 * repository reference is replaced whole (a branch and a tag from two places are never meant).
 */
export function overlaySource<T extends object>(base: Partial<T>, given: Partial<T>): Partial<T> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const current = out[key];
    const nested = key !== 'repositoryRef' && isPlainObject(value) && isPlainObject(current);
    out[key] = nested ? { ...(current as object), ...(value as object) } : value;
  }
  return out as Partial<T>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
