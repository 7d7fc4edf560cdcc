/**
 * The CLI against a registry serving HTTPS with a certificate from a CA made for this run:
 * `--cert-dir` with that CA verifies it; without it the command fails with a certificate error
 * that names --cert-dir and --tls-verify=false (and never falls back to plain HTTP, although
 * the host is loopback); `--tls-verify=false` skips verification; NODE_EXTRA_CA_CERTS is
 * honoured like the system's CAs.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LayoutImage, readLayoutImage } from './clients/layout.js';
import { type Registry, startRegistry } from './clients/registry.js';
import { useInteropScratchDir } from './clients/scratch.js';
import {
  buildCliBundle,
  buildDemoBase,
  type CliOptions,
  type CliRun,
  cli,
  cliOk,
  requestsDuring,
  stderrLines,
} from './fixtures/registry-cli.js';

const scratch = useInteropScratchDir('layerkit-registry-tls');
let registry: Registry;
let image: LayoutImage;
let at: CliOptions;
let certDir: string;

beforeAll(async () => {
  at = { cwd: scratch.path };
  [registry] = await Promise.all([startRegistry({ tls: true }), buildCliBundle()]);
  image = await buildDemoBase(join(scratch.path, 'base-work'), join(scratch.path, 'images'));
  certDir = registry.certDir ?? '';
});

afterAll(async () => {
  await registry?.stop();
});

/** REPOSITORY:TAG is served as the demo image, and pulls back into a layout unchanged. */
async function expectRoundTrip(repository: string, flags: readonly string[], options = at): Promise<void> {
  const served = await registry.manifest(repository, 'v1');
  expect(served.bytes.equals(image.manifestBytes)).toBe(true);
  const layout = `pulled-${repository.replaceAll('/', '-')}`;
  const printed = await cliOk(
    ['copy', ...flags, registry.reference(`${repository}:v1`), `oci:${layout}:v1`],
    options,
  );
  expect(printed.trim()).toBe(image.descriptor.digest);
  expect(readLayoutImage(join(scratch.path, layout), 'v1').manifestBytes.equals(image.manifestBytes)).toBe(
    true,
  );
}

function expectCertificateError(result: CliRun): void {
  expect(result.status).toBe(1);
  expect(stderrLines(result)).toHaveLength(1);
  expect(result.stderr).toMatch(/^layerkit: copy: .*certificate/);
  expect(result.stderr).toContain('--cert-dir');
  expect(result.stderr).toContain('--tls-verify=false');
}

describe('a TLS registry with a CA made for this run', () => {
  it('is served over https only', () => {
    expect(registry.scheme).toBe('https');
    expect(certDir).not.toBe('');
  });

  it('--cert-dir DIR (holding the CA as ca.crt) pushes and pulls, verified', async () => {
    const printed = await cliOk(
      ['copy', '--cert-dir', certDir, 'oci:images:nginx', registry.reference('lk/cert-dir:v1')],
      at,
    );
    expect(printed.trim()).toBe(image.descriptor.digest);
    await expectRoundTrip('lk/cert-dir', ['--cert-dir', certDir]);
    // history and verify read through the same flags
    expect(
      await cliOk(['verify', '--cert-dir', certDir, registry.reference('lk/cert-dir:v1')], at),
    ).toContain(`ok  ${image.descriptor.digest}`);
  });

  it('--cert-dir verifies the name too: docker://localhost:PORT works (the certificate names it)', async () => {
    const port = registry.address.split(':')[1];
    const printed = await cliOk(
      ['copy', '--cert-dir', certDir, `docker://localhost:${port}/lk/cert-dir:v1`, 'oci:pulled-localhost:v1'],
      at,
    );
    expect(printed.trim()).toBe(image.descriptor.digest);
  });

  it('without the CA: a certificate error naming --cert-dir and --tls-verify=false; no plain-HTTP fallback', async () => {
    const { requests, result } = await requestsDuring(registry, () =>
      cli(['copy', 'oci:images:nginx', registry.reference('lk/untrusted:v1')], at),
    );
    expectCertificateError(result);
    // the handshake failed: the registry answered no request at all
    expect(requests).toEqual([]);
    await expect(registry.manifest('lk/untrusted', 'v1')).rejects.toThrow(/HTTP 404/);
    // pulling fails the same way
    expectCertificateError(
      await cli(['copy', registry.reference('lk/cert-dir:v1'), 'oci:untrusted-pull:v1'], at),
    );
  });

  it('an empty --cert-dir trusts nothing more: the same certificate error', async () => {
    const empty = join(scratch.path, 'empty-cert-dir');
    mkdirSync(empty);
    expectCertificateError(
      await cli(['copy', '--cert-dir', empty, 'oci:images:nginx', registry.reference('lk/empty:v1')], at),
    );
  });

  it('--tls-verify=false pushes and pulls without the CA', async () => {
    const printed = await cliOk(
      ['copy', '--tls-verify=false', 'oci:images:nginx', registry.reference('lk/no-verify:v1')],
      at,
    );
    expect(printed.trim()).toBe(image.descriptor.digest);
    await expectRoundTrip('lk/no-verify', ['--tls-verify=false']);
  });

  it('NODE_EXTRA_CA_CERTS=CA pushes and pulls without any flag', async () => {
    const withCa = { ...at, env: { NODE_EXTRA_CA_CERTS: registry.caFile ?? '' } };
    const printed = await cliOk(['copy', 'oci:images:nginx', registry.reference('lk/extra-ca:v1')], withCa);
    expect(printed.trim()).toBe(image.descriptor.digest);
    await expectRoundTrip('lk/extra-ca', [], withCa);
    // no request of layerkit's failed (the harness's own 404 probe above is not one)
    expect(registry.errors().filter((line) => line.includes('useragent=layerkit'))).toEqual([]);
  });
});

describe('a TLS registry with token auth (the token realm is HTTPS with the same CA)', () => {
  let secured: Registry;
  beforeAll(async () => {
    secured = await startRegistry({ tls: true, auth: 'token' });
  });
  afterAll(() => secured?.stop());

  it('--cert-dir is trusted for the token realm too: alice pushes and pulls', async () => {
    const creds = `alice:${secured.users.alice}`;
    const flags = ['--cert-dir', secured.certDir ?? '', '--creds', creds];
    const printed = await cliOk(['copy', ...flags, 'oci:images:nginx', secured.reference('lk/app:v1')], at);
    expect(printed.trim()).toBe(image.descriptor.digest);
    expect((await secured.manifest('lk/app', 'v1')).bytes.equals(image.manifestBytes)).toBe(true);
    expect(secured.tokenRequests().filter((request) => request.status === 200).length).toBeGreaterThan(0);
    const pulled = await cliOk(['copy', ...flags, secured.reference('lk/app:v1'), 'oci:secured-pull:v1'], at);
    expect(pulled.trim()).toBe(image.descriptor.digest);
  });

  it('without the CA the registry is refused before any credential is sent', async () => {
    const before = secured.tokenRequests().length;
    const result = await cli(
      [
        'copy',
        '--creds',
        `alice:${secured.users.alice}`,
        'oci:images:nginx',
        secured.reference('lk/refused:v1'),
      ],
      at,
    );
    expectCertificateError(result);
    expect(secured.tokenRequests().slice(before)).toEqual([]);
  });
});
