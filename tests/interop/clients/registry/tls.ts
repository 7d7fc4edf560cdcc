import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from '../tools.js';

/** A CA made for one run and a server certificate it signed for 127.0.0.1 and localhost. */
export interface TlsMaterial {
  /** The CA certificate (PEM): what a client must trust. */
  readonly caFile: string;
  /** A directory holding only `ca.crt` (= {@link caFile}), for `--cert-dir`-style options. */
  readonly certDir: string;
  /** Server certificate (PEM), subjectAltName IP:127.0.0.1, DNS:localhost. */
  readonly certFile: string;
  /** Server private key (PEM, unencrypted). */
  readonly keyFile: string;
}

/** A self-signed certificate and its key, e.g. a token issuer's signing identity. */
export interface SigningIdentity {
  readonly certFile: string;
  readonly keyFile: string;
}

// P-256 keys: generated instantly (RSA would add ~100 ms per key) and accepted by Go, Node and libtrust
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** `openssl req -x509`: a self-signed certificate valid for two days (a run never takes longer). */
export async function makeSelfSigned(
  certFile: string,
  keyFile: string,
  subject: string,
  extensions: readonly string[] = [],
): Promise<SigningIdentity> {
  await runTool('openssl', [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    subject,
    ...extensions.flatMap((extension) => ['-addext', extension]),
  ]);
  return { certFile, keyFile };
}

/** Writes a fresh CA and a server certificate signed by it into `dir` (created). */
export async function makeTlsMaterial(dir: string): Promise<TlsMaterial> {
  const certDir = join(dir, 'cert-dir');
  mkdirSync(certDir, { recursive: true });
  // the CA key stays outside the cert dir: containers/image takes a *.key there for a client key
  const ca = await makeSelfSigned(join(certDir, 'ca.crt'), join(dir, 'ca.key'), '/CN=layerkit interop CA', [
    'basicConstraints=critical,CA:TRUE',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const keyFile = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.crt');
  const extensions = join(dir, 'server.ext');
  // Go and Node ignore the CN: the names a client dials must be in subjectAltName
  writeFileSync(
    extensions,
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  await runTool('openssl', [
    'req',
    '-new',
    ...EC_KEY,
    '-keyout',
    keyFile,
    '-out',
    csr,
    '-subj',
    '/CN=127.0.0.1',
  ]);
  await runTool('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    // a random serial, without a ca.srl file next to ca.crt
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '2',
    '-extfile',
    extensions,
    '-out',
    certFile,
  ]);
  return { caFile: ca.certFile, certDir, certFile, keyFile };
}
