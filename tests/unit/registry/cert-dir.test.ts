/**
 * Certificate directories as containers/image reads them: `*.crt` CAs, a `NAME.cert`/`NAME.key`
 * client pair, `--cert-dir` first, else the first system directory for the host that exists.
 * Every failure to read is CERT_DIR_UNREADABLE naming the path.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRegistryCertificates } from '@layerkit/registry/node';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../fixtures/credentials-sandbox.js';
import { useScratchDir } from '../../fixtures/scratch.js';

const root = useScratchDir('certs', { per: 'test' });

function dir(path: string, files: Record<string, string>): string {
  const full = join(root.path, path);
  mkdirSync(full, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(full, name), text);
  return full;
}

describe('loadRegistryCertificates', () => {
  it('every *.crt is a CA (sorted by name); other files are ignored', () => {
    const certDir = dir('certs', { 'b.crt': 'CA-B', 'a.crt': 'CA-A', 'notes.txt': 'x', 'c.pem': 'PEM' });
    expect(loadRegistryCertificates('r.example', certDir)).toEqual({ ca: ['CA-A', 'CA-B'] });
  });

  it('a NAME.cert with its NAME.key is the client certificate', () => {
    const certDir = dir('certs', { 'ca.crt': 'CA', 'client.cert': 'CERT', 'client.key': 'KEY' });
    expect(loadRegistryCertificates('r.example', certDir)).toEqual({
      ca: ['CA'],
      clientCertificate: { cert: 'CERT', key: 'KEY' },
    });
  });

  it('a .cert without its .key: CERT_DIR_UNREADABLE naming both', () => {
    const certDir = dir('certs', { 'client.cert': 'CERT', 'other.key': 'KEY' });
    const error = thrown(() => loadRegistryCertificates('r.example', certDir));
    expect(error.code).toBe('CERT_DIR_UNREADABLE');
    expect(error.message).toContain(join(certDir, 'client.cert'));
    expect(error.message).toContain('client.key');
  });

  it('a --cert-dir that does not exist: CERT_DIR_UNREADABLE naming it', () => {
    const missing = join(root.path, 'nope');
    const error = thrown(() => loadRegistryCertificates('r.example', missing));
    expect(error.code).toBe('CERT_DIR_UNREADABLE');
    expect(error.message).toContain(missing);
  });

  it('a .crt that cannot be read: CERT_DIR_UNREADABLE naming the file', () => {
    const certDir = dir('certs', { 'a.crt': 'CA' });
    mkdirSync(join(certDir, 'b.crt'));
    const error = thrown(() => loadRegistryCertificates('r.example', certDir));
    expect(error.code).toBe('CERT_DIR_UNREADABLE');
    expect(error.message).toContain(join(certDir, 'b.crt'));
  });

  it('a FIFO in place of a .crt: CERT_DIR_UNREADABLE naming it at once, never a hang', () => {
    const certDir = dir('certs', { 'a.crt': 'CA' });
    execFileSync('mkfifo', [join(certDir, 'b.crt')]);
    const error = thrown(() => loadRegistryCertificates('r.example', certDir));
    expect(error.code).toBe('CERT_DIR_UNREADABLE');
    expect(error.message).toContain(join(certDir, 'b.crt'));
    expect(error.cause).toMatchObject({ code: 'NOT_A_REGULAR_FILE' });
  });

  it('without --cert-dir: the first system directory for HOST[:PORT] that exists', () => {
    const containers = join(root.path, 'containers');
    const docker = join(root.path, 'docker');
    dir('docker/r.example:5000', { 'ca.crt': 'FROM-DOCKER' });
    expect(loadRegistryCertificates('r.example:5000', undefined, [containers, docker])).toEqual({
      ca: ['FROM-DOCKER'],
    });
    dir('containers/r.example:5000', { 'ca.crt': 'FROM-CONTAINERS' });
    expect(loadRegistryCertificates('r.example:5000', undefined, [containers, docker])).toEqual({
      ca: ['FROM-CONTAINERS'],
    });
    expect(loadRegistryCertificates('other.example', undefined, [containers, docker])).toEqual({ ca: [] });
  });

  it('an explicit --cert-dir beats the system directories', () => {
    dir('system/r.example', { 'ca.crt': 'SYSTEM' });
    const certDir = dir('mine', { 'ca.crt': 'MINE' });
    expect(loadRegistryCertificates('r.example', certDir, [join(root.path, 'system')])).toEqual({
      ca: ['MINE'],
    });
  });
});
