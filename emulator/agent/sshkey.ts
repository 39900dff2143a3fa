/** The deploy key the agent generates for an SSH source given without a private key. */
import { generateKeyPair } from 'node:crypto';

function sshString(data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, data]);
}

/** An SSH mpint: big-endian, with a leading zero byte when the high bit is set. */
function sshMpint(base64url: string): Buffer {
  let bytes = Buffer.from(base64url, 'base64url');
  while (bytes.length > 1 && bytes[0] === 0 && (bytes[1]! & 0x80) === 0) bytes = bytes.subarray(1);
  if ((bytes[0]! & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return sshString(bytes);
}

/** Generates an RSA key pair and returns the public half in OpenSSH `authorized_keys` form. */
export function generateSshPublicKey(): Promise<string> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001 }, (err, publicKey) => {
      if (err) return reject(err);
      const jwk = publicKey.export({ format: 'jwk' });
      const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), sshMpint(jwk.e!), sshMpint(jwk.n!)]);
      resolve(`ssh-rsa ${blob.toString('base64')}`);
    });
  });
}
