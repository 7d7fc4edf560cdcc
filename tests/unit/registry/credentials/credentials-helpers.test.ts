/**
 * Credential helpers: `credHelpers` and `credsStore` in auth files, run as real programs
 * (shell scripts on the PATH of the env the provider is given).
 */
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCredentials } from '@layerkit/registry/node';
import { describe, expect, it } from 'vitest';
import { runCredentialHelper } from '../../../../packages/registry/src/node/credentials/credential-helper.js';
import {
  answer,
  basic,
  helperLog,
  rejection,
  type Sandbox,
  sandbox,
  writeHelper,
  writeJson,
  writeText,
} from '../../../fixtures/credentials-sandbox.js';

const NOT_FOUND = 'echo "credentials not found in native keychain"; exit 1';

function provider(box: Sandbox) {
  return defaultCredentials({ env: box.env, homeDir: box.home });
}

describe('credHelpers', () => {
  it('beats an auths entry for the same registry and is asked for the host', async () => {
    const box = sandbox();
    writeHelper(box, 'vault', answer('alice', 'from-helper'));
    writeJson(box.paths.docker, {
      auths: { 'reg.example:5000': { auth: basic('alice', 'from-file') } },
      credHelpers: { 'reg.example:5000': 'vault' },
    });
    expect(await provider(box)('reg.example:5000', 'team/app')).toEqual({
      username: 'alice',
      password: 'from-helper',
    });
    expect(helperLog(box, 'vault')).toEqual(['reg.example:5000']);
  });

  it('asks for Docker Hub under the spelling of its key', async () => {
    const box = sandbox();
    writeHelper(box, 'hub', answer('hub', 'pass'));
    writeJson(box.paths.runtime, { credHelpers: { 'docker.io': 'hub' } });
    writeJson(box.paths.docker, { credHelpers: { 'https://index.docker.io/v1/': 'hub' } });
    const lookup = provider(box);
    // podman/skopeo key docker.io and store it under that name.
    expect(await lookup('docker.io', 'library/nginx')).toEqual({ username: 'hub', password: 'pass' });
    expect(helperLog(box, 'hub')).toEqual(['docker.io']);

    const docker = sandbox();
    writeHelper(docker, 'hub', answer('hub', 'pass'));
    writeJson(docker.paths.docker, { credHelpers: { 'https://index.docker.io/v1/': 'hub' } });
    expect(await provider(docker)('registry-1.docker.io', 'library/nginx')).toEqual({
      username: 'hub',
      password: 'pass',
    });
    expect(helperLog(docker, 'hub')).toEqual(['https://index.docker.io/v1/']);
  });

  it('gives an identity token for the <token> username', async () => {
    const box = sandbox();
    writeHelper(box, 'acr', answer('<token>', 'refresh-token'));
    writeJson(box.paths.docker, { credHelpers: { 'acr.example': 'acr' } });
    expect(await provider(box)('acr.example', 'app')).toEqual({ identityToken: 'refresh-token' });
  });

  it('goes on to the next file when the helper has no credentials', async () => {
    const box = sandbox();
    writeHelper(box, 'empty', NOT_FOUND);
    writeJson(box.paths.configHome, { credHelpers: { 'reg.example': 'empty' } });
    writeJson(box.paths.legacy, { 'https://reg.example/v1/': { auth: basic('old', 'p') } });
    expect(await provider(box)('reg.example', 'app')).toEqual({ username: 'old', password: 'p' });
    expect(await provider(box)('other.example', 'app')).toBeUndefined();
    expect(helperLog(box, 'empty')).toEqual(['reg.example']);
  });

  it('treats an empty answer as no credentials', async () => {
    const box = sandbox();
    writeHelper(box, 'blank', answer('', ''));
    writeJson(box.paths.docker, { credHelpers: { 'reg.example': 'blank' } });
    expect(await provider(box)('reg.example', 'app')).toBeUndefined();
  });

  it('runs no helper for other registries, or for an empty helper name', async () => {
    const box = sandbox();
    writeHelper(box, 'vault', answer('alice', 'p'));
    writeJson(box.paths.docker, {
      auths: { 'b.example': { auth: basic('file', 'p') } },
      credHelpers: { 'a.example': 'vault', 'b.example': '' },
    });
    expect(await provider(box)('b.example', 'app')).toEqual({ username: 'file', password: 'p' });
    expect(await provider(box)('c.example', 'app')).toBeUndefined();
    expect(helperLog(box, 'vault')).toEqual([]);
  });

  it('fails with CREDENTIAL_HELPER_FAILED for a failing helper', async () => {
    const box = sandbox();
    writeHelper(box, 'broken', 'echo "keychain is locked"; exit 3');
    writeJson(box.paths.docker, { credHelpers: { 'reg.example': 'broken' } });
    const error = await rejection(provider(box)('reg.example', 'app'));
    expect(error.code).toBe('CREDENTIAL_HELPER_FAILED');
    expect(error.message).toContain('docker-credential-broken');
    expect(error.message).toContain('exit code 3');
    expect(error.details).toMatchObject({
      helper: 'docker-credential-broken',
      serverUrl: 'reg.example',
      exitCode: 3,
    });
  });

  it('fails with CREDENTIAL_HELPER_FAILED for a helper that is not on PATH', async () => {
    const box = sandbox();
    writeJson(box.paths.docker, { credHelpers: { 'reg.example': 'layerkit-test-absent' } });
    const error = await rejection(provider(box)('reg.example', 'app'));
    expect(error.code).toBe('CREDENTIAL_HELPER_FAILED');
    expect(error.message).toContain('docker-credential-layerkit-test-absent');
    expect(error.message).toContain('not found on PATH');
  });

  it('fails for a helper that prints something other than credentials JSON', async () => {
    const box = sandbox();
    writeHelper(box, 'chatty', 'echo "hello"');
    writeJson(box.paths.docker, { credHelpers: { 'reg.example': 'chatty' } });
    expect((await rejection(provider(box)('reg.example', 'app'))).code).toBe('CREDENTIAL_HELPER_FAILED');
  });

  it('runs the helper once per server for the provider, also when asked concurrently', async () => {
    const box = sandbox();
    writeHelper(box, 'vault', answer('alice', 'p'));
    writeJson(box.paths.docker, { credHelpers: { 'a.example': 'vault', 'b.example': 'vault' } });
    const lookup = provider(box);
    const results = await Promise.all([
      lookup('a.example', 'x'),
      lookup('a.example', 'y'),
      lookup('a.example', 'z'),
    ]);
    expect(results).toEqual(Array(3).fill({ username: 'alice', password: 'p' }));
    await lookup('b.example', 'x');
    await lookup('a.example', 'x');
    expect(helperLog(box, 'vault')).toEqual(['a.example', 'b.example']);
    // A new provider asks again.
    await provider(box)('a.example', 'x');
    expect(helperLog(box, 'vault')).toHaveLength(3);
  });

  it('asks a failed helper again on the next lookup', async () => {
    const box = sandbox();
    const flag = join(box.dir, 'unlocked');
    writeHelper(box, 'flaky', `[ -e '${flag}' ] || exit 1\n${answer('alice', 'p')}`);
    writeJson(box.paths.docker, { credHelpers: { 'a.example': 'flaky' } });
    const lookup = provider(box);
    expect((await rejection(lookup('a.example', 'x'))).code).toBe('CREDENTIAL_HELPER_FAILED');
    writeJson(flag, {});
    expect(await lookup('a.example', 'x')).toEqual({ username: 'alice', password: 'p' });
  });
});

describe('credsStore', () => {
  it('is the helper for every registry without credHelpers or a real auths entry', async () => {
    const box = sandbox();
    writeHelper(box, 'desktop', answer('store', 'p'));
    writeHelper(box, 'ecr', answer('ecr', 'p'));
    writeJson(box.paths.docker, {
      auths: {
        'https://index.docker.io/v1/': {},
        'file.example': { auth: basic('file', 'p') },
      },
      credsStore: 'desktop',
      credHelpers: { 'ecr.example': 'ecr' },
    });
    const lookup = provider(box);
    expect(await lookup('docker.io', 'library/nginx')).toEqual({ username: 'store', password: 'p' });
    expect(await lookup('ghcr.example', 'app')).toEqual({ username: 'store', password: 'p' });
    expect(await lookup('ecr.example', 'app')).toEqual({ username: 'ecr', password: 'p' });
    expect(await lookup('file.example', 'app')).toEqual({ username: 'file', password: 'p' });
    expect(helperLog(box, 'desktop')).toEqual(['https://index.docker.io/v1/', 'ghcr.example']);
  });

  it('gives nothing from its file when the store has nothing', async () => {
    const box = sandbox();
    writeHelper(box, 'desktop', NOT_FOUND);
    writeJson(box.paths.docker, { credsStore: 'desktop' });
    expect(await provider(box)('ghcr.example', 'app')).toBeUndefined();
  });

  it('means anonymous access when its program is not installed (a copied Docker Desktop config)', async () => {
    const box = sandbox();
    writeJson(box.paths.docker, { credsStore: 'layerkit-test-absent' });
    expect(await provider(box)('ghcr.example', 'app')).toBeUndefined();
  });

  it('fails with CREDENTIAL_HELPER_FAILED when its program is there but fails', async () => {
    const box = sandbox();
    writeHelper(box, 'broken', 'exit 3');
    writeJson(box.paths.docker, { credsStore: 'broken' });
    const error = await rejection(provider(box)('ghcr.example', 'app'));
    expect(error.code).toBe('CREDENTIAL_HELPER_FAILED');
    expect(error.message).toContain('docker-credential-broken');
  });
});

describe('runCredentialHelper', () => {
  it('kills a helper that does not answer in time', async () => {
    const box = sandbox();
    writeHelper(box, 'slow', 'exec sleep 30');
    const started = Date.now();
    const error = await rejection(
      runCredentialHelper('slow', 'reg.example', { env: box.env, timeoutMs: 300 }),
    );
    expect(error.code).toBe('CREDENTIAL_HELPER_FAILED');
    expect(error.message).toContain('no answer after 300 ms');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('does not wait for a grandchild that keeps stdout open after a timeout', async () => {
    const box = sandbox();
    const pidFile = join(box.dir, 'grandchild.pid');
    writeHelper(box, 'forking', `sleep 30 &\necho $! > '${pidFile}'\nwait`);
    const error = await rejection(
      runCredentialHelper('forking', 'reg.example', { env: box.env, timeoutMs: 300 }),
    );
    expect(error.message).toContain('no answer');
    process.kill(Number(readFileSync(pidFile, 'utf8')));
  });

  it('accepts the shortened not-found message and a helper that ignores stdin', async () => {
    const box = sandbox();
    const program = join(box.bin, 'docker-credential-terse');
    writeText(program, '#!/bin/sh\necho "Credentials not found"\nexit 1\n');
    chmodSync(program, 0o755);
    expect(await runCredentialHelper('terse', 'reg.example', { env: box.env })).toBeUndefined();
  });

  it('looks the helper up on the PATH of the env it is given', async () => {
    const box = sandbox();
    writeHelper(box, 'vault', answer('alice', 'p'));
    const elsewhere = { ...box.env, PATH: '/usr/bin:/bin' };
    expect(
      (await rejection(runCredentialHelper('vault', 'reg.example', { env: elsewhere }))).message,
    ).toContain('not found on PATH');
    expect(await runCredentialHelper('vault', 'reg.example', { env: box.env })).toEqual({
      username: 'alice',
      password: 'p',
    });
  });
});
