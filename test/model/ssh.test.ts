import { describe, test, expect } from '@jest/globals';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkKnownHosts, checkSshPrivateKey, type SshKeyType } from '../../src/model/ssh.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ssh');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

const OPENSSH_BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const OPENSSH_END = '-----END OPENSSH PRIVATE KEY-----';

/** The decoded bytes of an OpenSSH private key file. */
function unarmor(text: string): Buffer {
  const body = text.slice(text.indexOf(OPENSSH_BEGIN) + OPENSSH_BEGIN.length, text.indexOf(OPENSSH_END));
  return Buffer.from(body.replace(/\s+/g, ''), 'base64');
}

function armor(data: Buffer): string {
  const lines = data.toString('base64').match(/.{1,70}/g) ?? [];
  return `${OPENSSH_BEGIN}\n${lines.join('\n')}\n${OPENSSH_END}\n`;
}

/** Offset of the private section's first byte (the first check int). */
function privateSectionStart(data: Buffer): number {
  let pos = 'openssh-key-v1\0'.length;
  for (let i = 0; i < 3; i++) pos += 4 + data.readUInt32BE(pos); // cipher, kdf, kdf options
  pos += 4; // key count
  pos += 4 + data.readUInt32BE(pos); // public key blob
  return pos + 4; // length of the private section
}

/** Offset and length of the contents of the `index`-th field after the key type in the private section. */
function privateField(data: Buffer, index: number): { at: number; length: number } {
  let pos = privateSectionStart(data) + 8; // check ints
  pos += 4 + data.readUInt32BE(pos); // key type
  for (let i = 0; i < index; i++) pos += 4 + data.readUInt32BE(pos);
  return { at: pos + 4, length: data.readUInt32BE(pos) };
}

function flipped(text: string, offset: (data: Buffer) => number): string {
  const data = Buffer.from(unarmor(text));
  data[offset(data)]! ^= 0x01;
  return armor(data);
}

/** An SSH wire-format string (uint32 length, then the bytes). */
function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** Reads the length-prefixed fields of a public key blob. */
function blobFields(blob: Buffer): Buffer[] {
  const fields: Buffer[] = [];
  for (let pos = 0; pos < blob.length; ) {
    const length = blob.readUInt32BE(pos);
    fields.push(blob.subarray(pos + 4, pos + 4 + length));
    pos += 4 + length;
  }
  return fields;
}

const pubBlob = (name: string): Buffer => Buffer.from(fixture(name).split(' ')[1]!, 'base64');
const b64 = (bytes: Buffer): string => bytes.toString('base64');

/** Every reason must be one line and must not carry anything that looks like key material. */
function expectSafeReason(reason: string): void {
  expect(reason).not.toContain('\n');
  expect(reason).not.toMatch(/[A-Za-z0-9+/=]{20,}/);
}

describe('checkSshPrivateKey: valid keys', () => {
  const valid: Array<[string, SshKeyType, 'pem' | 'openssh']> = [
    ['id_rsa', 'rsa', 'openssh'],
    ['id_rsa_pem', 'rsa', 'pem'],
    ['id_rsa_pkcs8', 'rsa', 'pem'],
    ['id_ecdsa_256', 'ecdsa', 'openssh'],
    ['id_ecdsa_384', 'ecdsa', 'openssh'],
    ['id_ecdsa_521', 'ecdsa', 'openssh'],
    ['id_ecdsa_256_pem', 'ecdsa', 'pem'],
    ['id_ecdsa_384_pkcs8', 'ecdsa', 'pem'],
    ['id_ed25519', 'ed25519', 'openssh'],
    ['id_ed25519_pkcs8', 'ed25519', 'pem'],
    ['id_dsa', 'dsa', 'openssh'],
    ['id_dsa_pem', 'dsa', 'pem'],
  ];
  const variants: Array<[string, (text: string) => string]> = [
    ['as generated', (t) => t],
    ['with CRLF line endings', (t) => t.replace(/\n/g, '\r\n')],
    ['without the final newline', (t) => t.replace(/\n+$/, '')],
    ['with surrounding blank lines', (t) => `\n${t}\n\n`],
  ];
  const cases = valid.flatMap(([name, type, format]) =>
    variants.map(([variant, change]) => [name, variant, change, type, format] as const),
  );

  test.each(cases)('%s %s', (name, _variant, change, type, format) => {
    expect(checkSshPrivateKey(change(fixture(name)))).toEqual({ ok: true, type, format });
  });
});

describe('checkSshPrivateKey: rejected input', () => {
  const ed25519 = fixture('id_ed25519');
  const ed25519Bytes = unarmor(ed25519);
  const lines = ed25519.trimEnd().split('\n');
  const pem = (key: KeyObject, type: 'pkcs8' | 'pkcs1' | 'spki'): string => key.export({ type, format: 'pem' }).toString();
  const ed448 = pem(generateKeyPairSync('ed448').privateKey, 'pkcs8');
  const secp256k1 = pem(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey, 'pkcs8');
  const dsaPkcs8 = pem(generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }).privateKey, 'pkcs8');
  const rsa512 = pem(generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey, 'pkcs1');
  const spki = pem(generateKeyPairSync('ed25519').publicKey, 'spki');
  const [, edPk] = blobFields(pubBlob('id_ed25519.pub'));
  const container = (count: number, publicBlob: Buffer): string => {
    const n = Buffer.alloc(4);
    n.writeUInt32BE(count);
    const head = [Buffer.from('openssh-key-v1\0'), sshString('none'), sshString('none'), sshString('')];
    return armor(Buffer.concat([...head, n, sshString(publicBlob), sshString(Buffer.alloc(16))]));
  };
  const skBlob = Buffer.concat([sshString('sk-ssh-ed25519@openssh.com'), sshString(edPk!), sshString('ssh:')]);
  const ecParameters = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';

  const cases: Array<[string, string, RegExp]> = [
    ['decoded garbage', 'this is not a valid private key', /^not an SSH private key: expected a PEM or OpenSSH key file$/],
    ['an empty file', '\n', /empty/],
    ['binary noise', Buffer.from([0x8f, 0x00, 0x13, 0xff, 0x41]).toString('latin1'), /not an SSH private key/],
    [
      'an OpenSSH key cut after half its lines',
      [...lines.slice(0, Math.ceil(lines.length / 2)), OPENSSH_END].join('\n'),
      /truncated or corrupt/,
    ],
    ['an OpenSSH key whose bytes end early', armor(ed25519Bytes.subarray(0, ed25519Bytes.length - 24)), /truncated or corrupt/],
    ['an OpenSSH key without its END line', lines.slice(0, -1).join('\n'), /incomplete/],
    ['an OpenSSH key with a wrong header', armor(Buffer.concat([Buffer.from('openssh-key-v2\0'), ed25519Bytes.subarray(15)])), /header/],
    ['an ed25519 key with a flipped check int', flipped(ed25519, (d) => privateSectionStart(d) + 3), /corrupt or passphrase-protected/],
    ['an ed25519 key with a flipped seed byte', flipped(ed25519, (d) => privateField(d, 1).at), /does not match/],
    [
      'an ed25519 key with a flipped private copy of the public key',
      flipped(ed25519, (d) => privateField(d, 0).at + 5),
      /does not match/,
    ],
    ['an ed25519 key with a flipped public blob', flipped(ed25519, (d) => privateSectionStart(d) - 10), /does not match/],
    ['an ed25519 key with flipped padding', flipped(ed25519, (d) => privateSectionStart(d) + d.readUInt32BE(privateSectionStart(d) - 4) - 1), /corrupt/],
    [
      'an RSA key with a flipped byte of d',
      flipped(fixture('id_rsa'), (d) => privateField(d, 2).at + privateField(d, 2).length - 1),
      /corrupt/,
    ],
    [
      'an RSA key with a flipped byte of iqmp',
      flipped(fixture('id_rsa'), (d) => privateField(d, 3).at + privateField(d, 3).length - 1),
      /corrupt/,
    ],
    [
      'an ECDSA key with a flipped byte of d',
      flipped(fixture('id_ecdsa_384'), (d) => privateField(d, 2).at + privateField(d, 2).length - 1),
      /does not match/,
    ],
    [
      'a DSA key with a flipped byte of x',
      flipped(fixture('id_dsa'), (d) => privateField(d, 4).at + privateField(d, 4).length - 1),
      /does not match/,
    ],
    ['a passphrase-protected OpenSSH key', fixture('id_ed25519_encrypted'), /passphrase/],
    ['a passphrase-protected PEM key', fixture('id_rsa_pem_encrypted'), /passphrase/],
    ['a passphrase-protected PKCS#8 key', fixture('id_ed25519_pkcs8_encrypted'), /passphrase/],
    ['an ed25519 public key', fixture('id_ed25519.pub'), /public key/],
    ['an RSA public key', fixture('id_rsa.pub'), /public key/],
    ['a PEM public key', spki, /public key/],
    ['a key encoded in base64 twice', Buffer.from(ed25519).toString('base64'), /base64-encoded twice/],
    ['a certificate', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', /certificate/],
    ['a corrupt PEM key', fixture('id_rsa_pem').replace(/\n[A-Za-z0-9+/]{20}/, '\n'), /PEM private key could not be read/],
    ['an Ed448 key', ed448, /cannot be used for SSH/],
    ['an ECDSA key on secp256k1', secp256k1, /P-256, P-384 and P-521/],
    ['a DSA key in PKCS#8 form', dsaPkcs8, /PKCS#8/],
    ['a 512-bit RSA key', rsa512, /512 bits/],
    ['a security-key (sk-*) key', container(1, skBlob), /security-key/],
    ['an OpenSSH file with two keys', container(2, pubBlob('id_ed25519.pub')), /holds 2 keys/],
    ['an EC key after an EC PARAMETERS block', ecParameters + fixture('id_ecdsa_256_pem'), /EC PARAMETERS/],
    ['a PuTTY key', 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n', /PuTTY/],
  ];

  test.each(cases)('%s', (_name, text, reason) => {
    const result = checkSshPrivateKey(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(reason);
    expectSafeReason(result.reason);
  });
});

describe('checkKnownHosts', () => {
  test('the fixture file is valid', () => {
    expect(checkKnownHosts(fixture('known_hosts'))).toEqual([]);
  });

  test('CRLF line endings and a missing final newline are accepted', () => {
    expect(checkKnownHosts(fixture('known_hosts').replace(/\n/g, '\r\n').trimEnd())).toEqual([]);
  });

  test('an empty file or one with only comments has no problems', () => {
    expect(checkKnownHosts('')).toEqual([]);
    expect(checkKnownHosts('# nothing here\n\n   \n')).toEqual([]);
  });

  test('security-key (sk-*) host keys are accepted', () => {
    const [, pk] = blobFields(pubBlob('id_ed25519.pub'));
    const [, , point] = blobFields(pubBlob('id_ecdsa_256.pub'));
    const skEd = Buffer.concat([sshString('sk-ssh-ed25519@openssh.com'), sshString(pk!), sshString('ssh:')]);
    const skEc = Buffer.concat([
      sshString('sk-ecdsa-sha2-nistp256@openssh.com'),
      sshString('nistp256'),
      sshString(point!),
      sshString('ssh:'),
    ]);
    const text = `a.example.com sk-ssh-ed25519@openssh.com ${b64(skEd)}\nb.example.com sk-ecdsa-sha2-nistp256@openssh.com ${b64(skEc)}\n`;
    expect(checkKnownHosts(text)).toEqual([]);
  });

  test('each bad line is reported with its 1-based line number', () => {
    const ed = pubBlob('id_ed25519.pub');
    const rsa = pubBlob('id_rsa.pub');
    const ec256 = pubBlob('id_ecdsa_256.pub');
    const [, , point] = blobFields(ec256);
    const offCurve = Buffer.from(point!);
    offCurve[offCurve.length - 1]! ^= 0x01;
    const good = `ok.example.com ssh-ed25519 ${b64(ed)}`;

    const rows: Array<[string, RegExp | null]> = [
      ['# a comment', null],
      ['host.example.com ssh-ed25519', /only 2 fields/],
      ['', null],
      [`host.example.com ssh-foo ${b64(ed)}`, /unknown key type 'ssh-foo'/],
      ['host.example.com ssh-ed25519 AAAAC3Nza!!C1lZDI1NTE5', /not valid base64/],
      [`host.example.com ssh-ed25519 ${b64(rsa)}`, /key data is for 'ssh-rsa' but the key type says ssh-ed25519/],
      [`host.example.com ssh-ed25519 ${b64(ed.subarray(0, ed.length - 6))}`, /ssh-ed25519 key is truncated or corrupt/],
      [good, null],
      [`host.example.com ecdsa-sha2-nistp384 ${b64(ec256)}`, /key data is for 'ecdsa-sha2-nistp256'/],
      [
        `host.example.com ecdsa-sha2-nistp384 ${b64(Buffer.concat([sshString('ecdsa-sha2-nistp384'), sshString('nistp256'), sshString(point!)]))}`,
        /curve 'nistp256'/,
      ],
      [
        `host.example.com ecdsa-sha2-nistp256 ${b64(Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp256'), sshString(offCurve)]))}`,
        /not a valid key/,
      ],
      [`host.example.com ssh-ed25519-cert-v01@openssh.com ${b64(ed)}`, /certificate key types/],
      [`|1|abc|def ssh-ed25519 ${b64(ed)}`, /hashed host name/],
      [`@trusted host.example.com ssh-ed25519 ${b64(ed)}`, /unknown marker/],
      [`@cert-authority ssh-ed25519 ${b64(ed)}`, /no host names/],
      [`[host.example.com]:99999 ssh-ed25519 ${b64(ed)}`, /\[host\]:port/],
      [`a.example.com,,b.example.com ssh-ed25519 ${b64(ed)}`, /empty entry/],
      [`ssh-ed25519 ${b64(ed)} me@laptop`, /no host names/],
      [`host.example.com ssh-ed25519 ${b64(Buffer.concat([ed, Buffer.from([1, 2, 3, 4])]))}`, /unexpected data/],
      ['host.example.com 2048 35 12345678901234567890', /protocol 1/],
      [`  ${good}  # trailing comment\r`, null],
      [`host.example.com ssh-rsa ${b64(Buffer.concat([sshString('ssh-rsa'), sshString(Buffer.from([1, 0, 1])), sshString(Buffer.from([1, 0, 1]))]))}`, /only 17 bits/],
    ];
    const problems = checkKnownHosts(rows.map(([line]) => line).join('\n'));
    const expected = rows.flatMap(([, reason], i) => (reason ? [{ line: i + 1, reason: expect.stringMatching(reason) }] : []));
    expect(problems).toEqual(expected);
    for (const problem of problems) expectSafeReason(problem.reason);
  });
});
