/**
 * TLS material for one registry, found as containers/image (skopeo, podman) and Docker find it:
 * a `--cert-dir`, else the first of `/etc/containers/certs.d/HOST[:PORT]/` and
 * `/etc/docker/certs.d/HOST[:PORT]/` that exists. In it, `*.crt` files are CAs to trust and a
 * `NAME.cert` with its `NAME.key` is a client certificate.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LayerkitError } from '@layerkit/digest';
import { readRegularFile } from '@layerkit/digest/internal/node';

/** What a certificate directory holds. */
export interface RegistryCertificates {
  /** The PEM text of every `*.crt` file (CAs to trust), in name order; empty when there are none. */
  ca: string[];
  /** The first `NAME.cert` (in name order) with its `NAME.key`; absent when there is no `.cert`. */
  clientCertificate?: {
    /** The PEM certificate chain (`NAME.cert`). */
    cert: string;
    /** The PEM private key (`NAME.key`). */
    key: string;
  };
}

/** The system-wide per-registry directories, in the order containers/image tries them. */
export const SYSTEM_CERT_DIRS = ['/etc/containers/certs.d', '/etc/docker/certs.d'];

/**
 * Loads the certificates for `registry` from `certDir`, or from its system directory when no
 * `certDir` is given. A missing system directory means none; a missing `certDir` is an error.
 */
export function loadRegistryCertificates(
  registry: string,
  certDir?: string,
  systemDirs: readonly string[] = SYSTEM_CERT_DIRS,
): RegistryCertificates {
  const dir =
    certDir ?? systemDirs.map((root) => join(root, registry)).find((candidate) => existsSync(candidate));
  if (dir === undefined) return { ca: [] };
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (error) {
    throw new LayerkitError(
      'CERT_DIR_UNREADABLE',
      `${dir}: cannot read the certificate directory`,
      { path: dir },
      { cause: error },
    );
  }
  const read = (name: string) => {
    try {
      return new TextDecoder().decode(readRegularFile(join(dir, name), { followSymlinks: true }));
    } catch (error) {
      throw new LayerkitError(
        'CERT_DIR_UNREADABLE',
        `${join(dir, name)}: cannot read the certificate file`,
        { path: join(dir, name) },
        { cause: error },
      );
    }
  };
  const ca = names.filter((name) => name.endsWith('.crt')).map(read);
  const certs = names.filter((name) => name.endsWith('.cert'));
  if (certs.length === 0) return { ca };
  const cert = certs[0]!;
  const key = `${cert.slice(0, -'.cert'.length)}.key`;
  if (!names.includes(key)) {
    throw new LayerkitError(
      'CERT_DIR_UNREADABLE',
      `${join(dir, cert)}: the client certificate has no ${key}`,
      { path: dir },
    );
  }
  return { ca, clientCertificate: { cert: read(cert), key: read(key) } };
}
