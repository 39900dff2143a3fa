/** The emulator's TLS identity: a self-signed certificate for 127.0.0.1 and localhost, made at start-up. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface Certificate {
  cert: string;
  key: string;
  /** Where the certificate PEM was written (the value of NODE_EXTRA_CA_CERTS). */
  certPath: string;
  keyPath: string;
}

export async function makeCertificate(dir: string): Promise<Certificate> {
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: 'k8s-gitops emulator' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60 * 60 * 1000),
    notAfterDate: new Date(now + 30 * 24 * 3600 * 1000),
    extensions: [
      // The certificate is its own trust anchor (NODE_EXTRA_CA_CERTS), so it is marked as a CA.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  mkdirSync(dir, { recursive: true });
  const certPath = join(dir, 'emulator-cert.pem');
  const keyPath = join(dir, 'emulator-key.pem');
  writeFileSync(certPath, pems.cert);
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  chmodSync(keyPath, 0o600);
  return { cert: pems.cert, key: pems.private, certPath, keyPath };
}
