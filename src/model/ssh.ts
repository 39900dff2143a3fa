/**
 * Validation of the SSH material a Flux configuration carries: the private key Flux uses to
 * reach a Git server (`--ssh-private-key`, `--ssh-private-key-file`) and the known_hosts file
 * it checks the server against (`--known-hosts`, `--known-hosts-file`).
 *
 * The cryptography is left to `node:crypto`. The only thing read here by hand is the
 * length-prefixed wire format of OpenSSH (RFC 4251 §5, PROTOCOL.key), which Node cannot read;
 * the numbers found in it are handed to Node as JWK (or, for DSA, a DER structure built here,
 * since Node has no DSA JWK) so that Node decides whether they form a real key. A private key
 * must also sign a probe message that its public key verifies.
 *
 * Problem reasons are fixed sentences. They never quote key material; the only text from the
 * input they may quote is a key type name or PEM label, and only when it is short and printable.
 */
import { createECDH, createPrivateKey, createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

export type SshKeyType = 'rsa' | 'ecdsa' | 'ed25519' | 'dsa';
export interface SshKeyCheck {
  ok: true;
  type: SshKeyType;
  format: 'pem' | 'openssh';
}
/** `reason`: one short sentence a user can act on, never containing key material. */
export interface SshProblem {
  ok: false;
  reason: string;
}
/** `line` is 1-based. */
export interface KnownHostsProblem {
  line: number;
  reason: string;
}

// ---------------------------------------------------------------------------------------------
// Reasons
// ---------------------------------------------------------------------------------------------

const NOT_A_KEY = 'not an SSH private key: expected a PEM or OpenSSH key file';
const PASSPHRASE =
  "the key is passphrase-protected, and Azure's Flux configuration has no field for a passphrase; " +
  'remove it (ssh-keygen -p -f <file>) or use a key without one';
const CHECK_MISMATCH = 'the OpenSSH key file is corrupt or passphrase-protected: its two check values differ';
const OPENSSH_CORRUPT = 'the OpenSSH key file is truncated or corrupt';
const PEM_CORRUPT = 'the PEM private key could not be read: the file is truncated or corrupt';
const PAIR_MISMATCH = 'the private key does not match its own public key: the file is corrupt';
const RSA_INCONSISTENT = "the RSA private key's numbers do not fit together: the file is corrupt";
const PUBLIC_GIVEN =
  'this is a public key; give the private key file instead (the one without the .pub extension)';
const USE_ANOTHER = 'use an ed25519, ecdsa or rsa key';
const SECURITY_KEY = `security-key (FIDO, sk-*) keys need their hardware token and cannot be used by Flux; ${USE_ANOTHER}`;
const MIN_RSA_BITS = 1024;

/** A failed check; the message is the user-facing reason. */
class Malformed extends Error {}

/** Quotes a name from the input only when it is short and printable; never key material. */
function quoteName(name: string): string {
  return /^[A-Za-z0-9@._ -]{1,48}$/.test(name) ? `'${name}'` : 'an unreadable name';
}

// ---------------------------------------------------------------------------------------------
// Small helpers: base64, big integers, DER building (DSA only)
// ---------------------------------------------------------------------------------------------

function isStrictBase64(text: string): boolean {
  return text.length > 0 && text.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text);
}

function b64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** Strips leading zero bytes from an unsigned big-endian magnitude. */
function stripZeros(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

function toBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

function fromBigInt(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex');
}

function bitLength(bytes: Buffer): number {
  const b = stripZeros(bytes);
  return b.length === 0 ? 0 : (b.length - 1) * 8 + (32 - Math.clz32(b[0]!));
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes = fromBigInt(BigInt(length));
  return Buffer.concat([Buffer.from([0x80 | bytes.length]), bytes]);
}

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

/** DER INTEGER of a non-negative magnitude. */
function derUint(magnitude: Buffer): Buffer {
  let b = stripZeros(magnitude);
  if (b.length === 0 || (b[0]! & 0x80) !== 0) b = Buffer.concat([Buffer.from([0]), b]);
  return der(0x02, b);
}

const DSA_ALGORITHM_OID = Buffer.from('06072a8648ce380401', 'hex'); // 1.2.840.10040.4.1

function dsaAlgorithm(p: Buffer, q: Buffer, g: Buffer): Buffer {
  return der(0x30, DSA_ALGORITHM_OID, der(0x30, derUint(p), derUint(q), derUint(g)));
}

/** SubjectPublicKeyInfo for a DSA public key. */
function dsaSpki(p: Buffer, q: Buffer, g: Buffer, y: Buffer): Buffer {
  return der(0x30, dsaAlgorithm(p, q, g), der(0x03, Buffer.from([0]), derUint(y)));
}

/** PKCS#8 PrivateKeyInfo for a DSA private key (OpenSSL derives y from x when reading it). */
function dsaPkcs8(p: Buffer, q: Buffer, g: Buffer, x: Buffer): Buffer {
  return der(0x30, derUint(Buffer.alloc(0)), dsaAlgorithm(p, q, g), der(0x04, derUint(x)));
}

// ---------------------------------------------------------------------------------------------
// The SSH wire format reader (RFC 4251 §5)
// ---------------------------------------------------------------------------------------------

class SshReader {
  private pos = 0;

  /** `corrupt` is the reason given when the data runs out or is malformed. */
  constructor(
    private readonly buf: Buffer,
    private readonly corrupt: string,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  fail(): never {
    throw new Malformed(this.corrupt);
  }

  take(length: number): Buffer {
    if (length > this.remaining) this.fail();
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  uint32(): number {
    return this.take(4).readUInt32BE(0);
  }

  /** A length-prefixed byte string. */
  string(): Buffer {
    return this.take(this.uint32());
  }

  /** A length-prefixed string that must be printable ASCII (names, not data). */
  name(): string {
    const bytes = this.string();
    for (const byte of bytes) if (byte < 0x20 || byte > 0x7e) this.fail();
    return bytes.toString('latin1');
  }

  /** An mpint that must be non-negative; returns its magnitude without leading zeros. */
  mpint(): Buffer {
    const bytes = this.string();
    if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) this.fail();
    return stripZeros(bytes);
  }

  end(): void {
    if (this.remaining !== 0) this.fail();
  }
}

// ---------------------------------------------------------------------------------------------
// Key types and public keys
// ---------------------------------------------------------------------------------------------

interface EcCurve {
  ssh: string;
  jwk: 'P-256' | 'P-384' | 'P-521';
  /** The OpenSSL name (for ECDH). */
  openssl: string;
  size: number;
}

const EC_CURVES: Record<string, EcCurve> = {
  'ecdsa-sha2-nistp256': { ssh: 'nistp256', jwk: 'P-256', openssl: 'prime256v1', size: 32 },
  'ecdsa-sha2-nistp384': { ssh: 'nistp384', jwk: 'P-384', openssl: 'secp384r1', size: 48 },
  'ecdsa-sha2-nistp521': { ssh: 'nistp521', jwk: 'P-521', openssl: 'secp521r1', size: 66 },
  'sk-ecdsa-sha2-nistp256@openssh.com': { ssh: 'nistp256', jwk: 'P-256', openssl: 'prime256v1', size: 32 },
};

const SSH_TYPES: Record<string, SshKeyType> = {
  'ssh-rsa': 'rsa',
  'ssh-dss': 'dsa',
  'ssh-ed25519': 'ed25519',
  'ecdsa-sha2-nistp256': 'ecdsa',
  'ecdsa-sha2-nistp384': 'ecdsa',
  'ecdsa-sha2-nistp521': 'ecdsa',
};

const SK_TYPES = new Set(['sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com']);

/** The key types a known_hosts line may declare. */
const KNOWN_HOSTS_TYPES = new Set([...Object.keys(SSH_TYPES), ...SK_TYPES]);

function isCertType(type: string): boolean {
  return /-cert-v0[0-9]@openssh\.com$/.test(type);
}

function importPublicJwk(jwk: JsonWebKey, reason: string): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    throw new Malformed(reason);
  }
}

/** Splits an uncompressed EC point (0x04 || X || Y) into its coordinates. */
function ecPoint(point: Buffer, curve: EcCurve, reason: string): { x: Buffer; y: Buffer } {
  if (point.length !== 1 + 2 * curve.size || point[0] !== 0x04) throw new Malformed(reason);
  return { x: point.subarray(1, 1 + curve.size), y: point.subarray(1 + curve.size) };
}

function checkRsaSize(n: Buffer): void {
  const bits = bitLength(n);
  if (bits < MIN_RSA_BITS) {
    throw new Malformed(
      `the RSA key has only ${bits} bits; OpenSSH and Flux refuse RSA keys shorter than ${MIN_RSA_BITS} bits`,
    );
  }
}

/**
 * Reads the fields of a public key blob that follow its type name and has Node build the key.
 * Security-key (sk-*) blobs hold a plain Ed25519 or P-256 public key followed by an application
 * string; the key itself is proved like any other.
 */
function readPublicKey(type: string, r: SshReader): KeyObject {
  const invalid = `the ${type} key is not a valid key`;
  switch (type) {
    case 'ssh-ed25519':
    case 'sk-ssh-ed25519@openssh.com': {
      const pk = r.string();
      if (pk.length !== 32) r.fail();
      if (type !== 'ssh-ed25519') r.string(); // application, e.g. "ssh:"
      return importPublicJwk({ kty: 'OKP', crv: 'Ed25519', x: b64url(pk) }, invalid);
    }
    case 'ssh-rsa': {
      const e = r.mpint();
      const n = r.mpint();
      if (e.length === 0 || n.length === 0) r.fail();
      checkRsaSize(n);
      return importPublicJwk({ kty: 'RSA', n: b64url(n), e: b64url(e) }, invalid);
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
    case 'sk-ecdsa-sha2-nistp256@openssh.com': {
      const curve = EC_CURVES[type]!;
      const named = r.name();
      if (named !== curve.ssh) {
        throw new Malformed(
          `the key data names the curve ${quoteName(named)}, which does not match the key type ${type}`,
        );
      }
      const { x, y } = ecPoint(r.string(), curve, invalid);
      if (type.startsWith('sk-')) r.string(); // application
      return importPublicJwk({ kty: 'EC', crv: curve.jwk, x: b64url(x), y: b64url(y) }, invalid);
    }
    case 'ssh-dss': {
      const [p, q, g, y] = [r.mpint(), r.mpint(), r.mpint(), r.mpint()];
      try {
        return createPublicKey({ key: dsaSpki(p, q, g, y), format: 'der', type: 'spki' });
      } catch {
        throw new Malformed(invalid);
      }
    }
    default:
      throw new Malformed(`unsupported key type ${quoteName(type)}`);
  }
}

/** Parses a complete public key blob whose type must be `type`. */
function parsePublicBlob(blob: Buffer, type: string): KeyObject {
  const r = new SshReader(blob, `the ${type} key is truncated or corrupt`);
  const inner = r.name();
  if (inner !== type) {
    throw new Malformed(`the key data is for ${quoteName(inner)} but the key type says ${type}`);
  }
  const key = readPublicKey(type, r);
  if (r.remaining !== 0) throw new Malformed(`the ${type} key has unexpected data after it`);
  return key;
}

// ---------------------------------------------------------------------------------------------
// Private keys
// ---------------------------------------------------------------------------------------------

const PROBE = Buffer.from('k8s-gitops ssh key check');

/** Proves that `priv` is a working private key whose public half is `pub`. */
function provePair(priv: KeyObject, pub: KeyObject): void {
  const algorithm = priv.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  let ok = false;
  try {
    ok = createPublicKey(priv).equals(pub) && verify(algorithm, PROBE, pub, sign(algorithm, PROBE, priv));
  } catch {
    ok = false;
  }
  if (!ok) throw new Malformed(PAIR_MISMATCH);
}

/** Cheap consistency checks of RSA private numbers, in the spirit of Go's rsa.Validate. */
function checkRsaNumbers(n: bigint, e: bigint, d: bigint, p: bigint, q: bigint, qi: bigint | undefined): void {
  const ok =
    p > 1n &&
    q > 1n &&
    p * q === n &&
    (d * e) % (p - 1n) === 1n % (p - 1n) &&
    (d * e) % (q - 1n) === 1n % (q - 1n) &&
    (qi === undefined || (qi * q) % p === 1n);
  if (!ok) throw new Malformed(RSA_INCONSISTENT);
}

/** True when the scalar d is a valid private key of the curve whose public point is (x, y); also true when d is no key at all (that is "invalid", not a mismatch). */
function ecScalarFits(curve: EcCurve, d: Buffer, x: Buffer, y: Buffer): boolean {
  let point: Buffer;
  try {
    const ecdh = createECDH(curve.openssl);
    ecdh.setPrivateKey(d);
    point = ecdh.getPublicKey();
  } catch {
    return true;
  }
  return point.equals(Buffer.concat([Buffer.from([4]), x, y]));
}

function importPrivateJwk(jwk: JsonWebKey, reason: string): KeyObject {
  try {
    return createPrivateKey({ key: jwk, format: 'jwk' });
  } catch {
    throw new Malformed(reason);
  }
}

/**
 * Reads the private fields of one key in the OpenSSH private section and returns the key
 * built by Node. `pub` is the public key from the file's public section.
 */
function readOpenSshPrivate(type: string, r: SshReader, pub: KeyObject): KeyObject {
  const invalid = `the ${type} private key is not a valid key`;
  switch (type) {
    case 'ssh-ed25519': {
      const pk = r.string();
      const sk = r.string(); // seed || public key
      if (pk.length !== 32 || sk.length !== 64) r.fail();
      if (!sk.subarray(32).equals(pk)) throw new Malformed(PAIR_MISMATCH);
      if (!importPublicJwk({ kty: 'OKP', crv: 'Ed25519', x: b64url(pk) }, invalid).equals(pub)) {
        throw new Malformed(PAIR_MISMATCH);
      }
      // Any 32-byte seed is a key, and x is valid (checked above): a refused import means that
      // x is not the seed's public key (newer OpenSSL checks this on import; older ones let
      // provePair find it).
      const seed = sk.subarray(0, 32);
      return importPrivateJwk({ kty: 'OKP', crv: 'Ed25519', x: b64url(pk), d: b64url(seed) }, PAIR_MISMATCH);
    }
    case 'ssh-rsa': {
      const [n, e, d, iqmp, p, q] = [r.mpint(), r.mpint(), r.mpint(), r.mpint(), r.mpint(), r.mpint()];
      if (n.length === 0 || e.length === 0 || d.length === 0) r.fail();
      checkRsaSize(n);
      const [D, P, Q] = [toBigInt(d), toBigInt(p), toBigInt(q)];
      checkRsaNumbers(toBigInt(n), toBigInt(e), D, P, Q, toBigInt(iqmp));
      const jwk: JsonWebKey = {
        kty: 'RSA',
        n: b64url(n),
        e: b64url(e),
        d: b64url(d),
        p: b64url(p),
        q: b64url(q),
        dp: b64url(fromBigInt(D % (P - 1n))),
        dq: b64url(fromBigInt(D % (Q - 1n))),
        qi: b64url(iqmp),
      };
      return importPrivateJwk(jwk, invalid);
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521': {
      const curve = EC_CURVES[type]!;
      if (r.name() !== curve.ssh) throw new Malformed(PAIR_MISMATCH);
      const { x, y } = ecPoint(r.string(), curve, invalid);
      const d = r.mpint();
      if (d.length === 0 || d.length > curve.size) throw new Malformed(invalid);
      const padded = Buffer.concat([Buffer.alloc(curve.size - d.length), d]);
      const jwk: JsonWebKey = { kty: 'EC', crv: curve.jwk, x: b64url(x), y: b64url(y), d: b64url(padded) };
      // Newer OpenSSL refuses a d whose public point is not (x, y) on import; older ones let
      // provePair find it. Either way the user hears the same reason.
      return importPrivateJwk(jwk, ecScalarFits(curve, padded, x, y) ? invalid : PAIR_MISMATCH);
    }
    case 'ssh-dss': {
      // Node has no DSA JWK, so the key goes to Node as PKCS#8 DER; OpenSSL computes y from x
      // and provePair compares it with the public key, so a wrong x is caught.
      const [p, q, g, y, x] = [r.mpint(), r.mpint(), r.mpint(), r.mpint(), r.mpint()];
      let own: KeyObject;
      let priv: KeyObject;
      try {
        own = createPublicKey({ key: dsaSpki(p, q, g, y), format: 'der', type: 'spki' });
        priv = createPrivateKey({ key: dsaPkcs8(p, q, g, x), format: 'der', type: 'pkcs8' });
      } catch {
        throw new Malformed(invalid);
      }
      if (!own.equals(pub)) throw new Malformed(PAIR_MISMATCH);
      return priv;
    }
    default:
      throw new Malformed(`unsupported key type ${quoteName(type)}`);
  }
}

const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const OPENSSH_BLOCK_SIZE = 8; // the block size of the "none" cipher

/** Checks the body (base64 between the armor lines) of an OpenSSH private key. */
function checkOpenSshKey(body: string): SshKeyCheck {
  const b64 = body.replace(/\s+/g, '');
  if (!isStrictBase64(b64)) throw new Malformed(OPENSSH_CORRUPT);
  const data = Buffer.from(b64, 'base64');
  if (data.length < OPENSSH_MAGIC.length || !data.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) {
    throw new Malformed('not an OpenSSH private key: the openssh-key-v1 header is missing');
  }
  const r = new SshReader(data.subarray(OPENSSH_MAGIC.length), OPENSSH_CORRUPT);
  const cipher = r.name();
  const kdf = r.name();
  const kdfOptions = r.string();
  if (cipher !== 'none') throw new Malformed(PASSPHRASE);
  if (kdf !== 'none' || kdfOptions.length !== 0) r.fail();
  const count = r.uint32();
  if (count !== 1) throw new Malformed(`the OpenSSH key file holds ${count} keys; expected exactly one`);
  const publicBlob = r.string();
  const privateSection = r.string();
  r.end();

  // The public key: its type decides what follows in the private section.
  const pr = new SshReader(publicBlob, OPENSSH_CORRUPT);
  const type = pr.name();
  if (SK_TYPES.has(type)) throw new Malformed(SECURITY_KEY);
  if (isCertType(type)) throw new Malformed('certificate keys are not supported; give the plain private key');
  const sshType = SSH_TYPES[type];
  if (!sshType) throw new Malformed(`unsupported key type ${quoteName(type)}`);
  const pub = readPublicKey(type, pr);
  pr.end();

  // The private section: check ints, the key, a comment, then padding 1, 2, 3, ...
  if (privateSection.length % OPENSSH_BLOCK_SIZE !== 0) throw new Malformed(OPENSSH_CORRUPT);
  const s = new SshReader(privateSection, OPENSSH_CORRUPT);
  if (s.uint32() !== s.uint32()) throw new Malformed(CHECK_MISMATCH);
  if (s.name() !== type) throw new Malformed(PAIR_MISMATCH);
  const priv = readOpenSshPrivate(type, s, pub);
  s.string(); // comment
  const padding = s.take(s.remaining);
  if (padding.length >= OPENSSH_BLOCK_SIZE || padding.some((byte, i) => byte !== i + 1)) {
    throw new Malformed(OPENSSH_CORRUPT);
  }
  provePair(priv, pub);
  return { ok: true, type: sshType, format: 'openssh' };
}

const PEM_EC_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/** Checks a PEM private key (`block` is the whole block, armor lines included). */
function checkPemKey(label: string, block: string): SshKeyCheck {
  if (label === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type:[ \t]*4,[ \t]*ENCRYPTED/m.test(block)) {
    throw new Malformed(PASSPHRASE);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: block, format: 'pem' });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MISSING_PASSPHRASE') throw new Malformed(PASSPHRASE);
    throw new Malformed(PEM_CORRUPT);
  }
  const details = key.asymmetricKeyDetails ?? {};
  let type: SshKeyType;
  switch (key.asymmetricKeyType) {
    case 'rsa': {
      type = 'rsa';
      const jwk = key.export({ format: 'jwk' });
      const big = (v: string | undefined): bigint => toBigInt(Buffer.from(v ?? '', 'base64url'));
      checkRsaSize(Buffer.from(jwk.n ?? '', 'base64url'));
      if (jwk.p && jwk.q) {
        const qi = jwk.qi ? big(jwk.qi) : undefined;
        checkRsaNumbers(big(jwk.n), big(jwk.e), big(jwk.d), big(jwk.p), big(jwk.q), qi);
      }
      break;
    }
    case 'ec':
      type = 'ecdsa';
      if (!details.namedCurve || !PEM_EC_CURVES.has(details.namedCurve)) {
        throw new Malformed('SSH supports only the NIST P-256, P-384 and P-521 curves for ECDSA keys');
      }
      break;
    case 'ed25519':
      type = 'ed25519';
      break;
    case 'dsa':
      // Flux reads keys with Go's x/crypto/ssh, whose PKCS#8 reader has no DSA support.
      if (label === 'PRIVATE KEY') {
        throw new Malformed(`Flux cannot read DSA keys in PKCS#8 form; ${USE_ANOTHER}`);
      }
      type = 'dsa';
      break;
    default:
      throw new Malformed(
        `the PEM file holds a ${quoteName(key.asymmetricKeyType ?? 'unknown')} key, which cannot be used for SSH; ${USE_ANOTHER}`,
      );
  }
  provePair(key, createPublicKey(key));
  return { ok: true, type, format: 'pem' };
}

const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/;

function inspectPrivateKey(input: string): SshKeyCheck {
  const text = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').trim();
  if (!text) throw new Malformed('the private key is empty');
  if (text.startsWith('PuTTY-User-Key-File-')) {
    throw new Malformed('PuTTY (.ppk) keys are not supported; export the key in OpenSSH format with PuTTYgen');
  }
  if (/^(ssh-|ecdsa-|sk-)\S+[ \t]+AAAA/.test(text) || /^-{4,5} ?BEGIN [A-Z0-9 ]*PUBLIC KEY/m.test(text)) {
    throw new Malformed(PUBLIC_GIVEN);
  }
  const begin = PEM_BEGIN.exec(text);
  if (!begin) {
    const compact = text.replace(/\s+/g, '');
    if (isStrictBase64(compact) && Buffer.from(compact, 'base64').toString('latin1').includes('-----BEGIN ')) {
      throw new Malformed('the key is base64-encoded twice; decode it once more');
    }
    throw new Malformed(NOT_A_KEY);
  }
  // Like Go's pem.Decode, which Flux uses, only the first PEM block counts.
  const label = begin[1]!;
  const endLine = `-----END ${label}-----`;
  const endAt = text.indexOf(endLine, begin.index);
  if (endAt < 0) throw new Malformed(`the key file is incomplete: the line ${endLine} is missing`);
  const body = text.slice(begin.index + begin[0].length, endAt);
  switch (label) {
    case 'OPENSSH PRIVATE KEY':
      return checkOpenSshKey(body);
    case 'RSA PRIVATE KEY':
    case 'EC PRIVATE KEY':
    case 'DSA PRIVATE KEY':
    case 'PRIVATE KEY':
    case 'ENCRYPTED PRIVATE KEY':
      return checkPemKey(label, `${begin[0]}${body}${endLine}\n`);
    case 'CERTIFICATE':
      throw new Malformed('this is a certificate, not a private key');
    case 'EC PARAMETERS':
      throw new Malformed('the file starts with an EC PARAMETERS block; keep only the EC PRIVATE KEY block');
    default:
      throw new Malformed(`the file holds a PEM block labelled ${quoteName(label)}, not an SSH private key`);
  }
}

/**
 * Checks an SSH private key for Flux. `text` is the key file's text (already base64-decoded by
 * the caller). CRLF line endings and a missing final newline are accepted.
 */
export function checkSshPrivateKey(text: string): SshKeyCheck | SshProblem {
  try {
    return inspectPrivateKey(text);
  } catch (err) {
    return { ok: false, reason: err instanceof Malformed ? err.message : NOT_A_KEY };
  }
}

// ---------------------------------------------------------------------------------------------
// known_hosts
// ---------------------------------------------------------------------------------------------

const HASHED_HOST = /^\|1\|([^|]*)\|([^|]*)$/;
const HASH_LENGTH = 20; // HMAC-SHA1 salt and digest

function checkHostPatterns(field: string): void {
  if (field.startsWith('|')) {
    const m = HASHED_HOST.exec(field);
    const valid = (part: string | undefined): boolean =>
      part !== undefined && isStrictBase64(part) && Buffer.from(part, 'base64').length === HASH_LENGTH;
    if (!m || !valid(m[1]) || !valid(m[2])) {
      throw new Malformed('the hashed host name is malformed: expected |1|<base64 salt>|<base64 hash>');
    }
    return;
  }
  for (const entry of field.split(',')) {
    const pattern = entry.startsWith('!') ? entry.slice(1) : entry;
    if (!pattern) throw new Malformed('the host name list has an empty entry');
    if (pattern.startsWith('[')) {
      const m = /^\[([^\][]+)\]:([0-9]{1,5})$/.exec(pattern);
      const port = m ? Number(m[2]) : 0;
      if (!m || port < 1 || port > 65535) {
        throw new Malformed('a bracketed host must be written [host]:port with a port from 1 to 65535');
      }
    } else if (/[[\]]/.test(pattern)) {
      throw new Malformed('a host with a port must be written [host]:port');
    }
  }
}

function checkKnownHostsLine(line: string): void {
  let fields = line.split(/[ \t]+/);
  if (fields[0]!.startsWith('@')) {
    const marker = fields[0]!;
    if (marker !== '@cert-authority' && marker !== '@revoked') {
      throw new Malformed(`unknown marker ${quoteName(marker)}; expected @cert-authority or @revoked`);
    }
    fields = fields.slice(1);
  }
  if (fields.length >= 2 && KNOWN_HOSTS_TYPES.has(fields[0]!) && fields[1]!.startsWith('AAAA')) {
    throw new Malformed('the line has no host names; it must start with the host name(s) the key belongs to');
  }
  if (fields.length < 3) {
    throw new Malformed(
      `expected host names, a key type and a base64 key, but the line has only ${fields.length} ` +
        (fields.length === 1 ? 'field' : 'fields'),
    );
  }
  const [hosts, type, blob] = fields as [string, string, string];
  checkHostPatterns(hosts);
  if (/^[0-9]+$/.test(type)) throw new Malformed('SSH protocol 1 host keys are not supported');
  if (isCertType(type)) {
    throw new Malformed(
      'certificate key types are not valid in known_hosts; list the CA key with @cert-authority',
    );
  }
  if (!KNOWN_HOSTS_TYPES.has(type)) throw new Malformed(`unknown key type ${quoteName(type)}`);
  if (!isStrictBase64(blob)) throw new Malformed('the key is not valid base64');
  parsePublicBlob(Buffer.from(blob, 'base64'), type);
}

/** `text` is the known_hosts file's content. Returns [] when every line is valid. */
export function checkKnownHosts(text: string): KnownHostsProblem[] {
  const problems: KnownHostsProblem[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw, index) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      try {
        checkKnownHostsLine(line);
      } catch (err) {
        const reason = err instanceof Malformed ? err.message : 'the line could not be read';
        problems.push({ line: index + 1, reason });
      }
    });
  return problems;
}
