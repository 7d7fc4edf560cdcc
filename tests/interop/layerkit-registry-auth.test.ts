/**
 * The CLI as an authenticating registry client, against distribution with htpasswd (Basic) and
 * with token auth (the harness's token issuer). Credentials come from `--creds`, `--authfile`
 * or `REGISTRY_AUTH_FILE` only (every run's HOME and XDG_RUNTIME_DIR are empty: the machine's
 * own auth files are out of sight). A refused login fails in one stderr line that never shows
 * the password, not even with --debug; a pull-only user cannot tag anything; a push asks the
 * token server a bounded number of times, not once per request; public/* pulls anonymously;
 * one auth file (or ~/.docker/config.json) serves a copy between two registries, each with its
 * own credentials.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LayoutImage, readLayoutImage } from './clients/layout.js';
import { type Registry, type RegistryRequest, startRegistry, type TokenRequest } from './clients/registry.js';
import { useInteropScratchDir } from './clients/scratch.js';
import {
  authJson,
  buildCliBundle,
  buildDemoBase,
  buildLayeredImage,
  type CliOptions,
  type CliRun,
  cli,
  cliOk,
  requestsDuring,
  stderrLines,
} from './fixtures/registry-cli.js';

const scratch = useInteropScratchDir('layerkit-registry-auth');
let demo: LayoutImage;
/** distribution with htpasswd: alice and bob may push and pull, nobody anonymously. */
let basic: Registry;
/** distribution with token auth: alice pushes and pulls, bob pulls, anyone pulls public/*. */
let tokens: Registry;

beforeAll(async () => {
  [basic, tokens] = await Promise.all([
    startRegistry({ auth: 'htpasswd' }),
    startRegistry({ auth: 'token' }),
    buildCliBundle(),
    (async () => {
      demo = await buildDemoBase(join(scratch.path, 'base-work'), join(scratch.path, 'images'));
    })(),
  ]);
});

afterAll(async () => {
  await Promise.all([basic?.stop(), tokens?.stop()]);
});

/** Every spelling of a secret that must never be printed: as given, and inside Basic auth. */
function secretForms(user: string, password: string): string[] {
  return [password, Buffer.from(`${user}:${password}`).toString('base64')];
}

function expectNoSecret(result: CliRun, user: string, password: string): void {
  for (const form of secretForms(user, password)) {
    expect(result.stderr).not.toContain(form);
    expect(result.stdout).not.toContain(form);
  }
}

/** The registry holds no REPOSITORY:TAG (its manifest GET is a 404). */
async function expectNoTag(registry: Registry, repository: string, tag: string): Promise<void> {
  await expect(registry.manifest(repository, tag)).rejects.toThrow(/HTTP 404/);
  expect(await registry.requests()).not.toContainEqual(
    expect.objectContaining({ method: 'PUT', path: `/v2/${repository}/manifests/${tag}`, status: 201 }),
  );
}

/** REPOSITORY:TAG on `registry` is the image `image`, byte for byte. */
async function expectServed(registry: Registry, repository: string, tag: string, image: LayoutImage) {
  const served = await registry.manifest(repository, tag);
  expect(served.digest).toBe(image.descriptor.digest);
  expect(served.bytes.equals(image.manifestBytes)).toBe(true);
}

describe('htpasswd (Basic auth)', () => {
  let registry: Registry;
  let at: CliOptions;
  let password: string;
  let creds: string;

  beforeAll(() => {
    registry = basic;
    at = { cwd: join(scratch.path, 'htpasswd') };
    mkdirSync(at.cwd);
    password = registry.users.alice ?? '';
    creds = `alice:${password}`;
  });

  const pullAndCompare = async (repositoryAndTag: string, flags: readonly string[], options = at) => {
    const layout = `pulled-${randomBytes(4).toString('hex')}`;
    const printed = await cliOk(
      ['copy', ...flags, registry.reference(repositoryAndTag), `oci:${layout}:v1`],
      options,
    );
    expect(printed.trim()).toBe(demo.descriptor.digest);
    expect(readLayoutImage(join(options.cwd, layout), 'v1').manifestBytes.equals(demo.manifestBytes)).toBe(
      true,
    );
  };

  it('--creds alice:PASS pushes and pulls', async () => {
    const printed = await cliOk(
      ['copy', '--creds', creds, 'oci:../images:nginx', registry.reference('lk/creds:v1')],
      at,
    );
    expect(printed.trim()).toBe(demo.descriptor.digest);
    await expectServed(registry, 'lk/creds', 'v1', demo);
    await pullAndCompare('lk/creds:v1', ['--creds', creds]);
  });

  it('--authfile FILE (a containers auth.json) pushes and pulls', async () => {
    const file = join(at.cwd, 'auth.json');
    writeFileSync(file, authJson(registry.address, 'alice', password));
    await cliOk(
      ['copy', '--authfile', file, 'oci:../images:nginx', registry.reference('lk/authfile:v1')],
      at,
    );
    await expectServed(registry, 'lk/authfile', 'v1', demo);
    await pullAndCompare('lk/authfile:v1', ['--authfile', file]);
  });

  it('REGISTRY_AUTH_FILE pushes and pulls; --authfile beats it', async () => {
    const good = join(at.cwd, 'env-auth.json');
    const bad = join(at.cwd, 'env-wrong.json');
    writeFileSync(good, authJson(registry.address, 'alice', password));
    writeFileSync(bad, authJson(registry.address, 'alice', 'not-the-password'));
    const withEnv = { ...at, env: { REGISTRY_AUTH_FILE: good } };
    await cliOk(['copy', 'oci:../images:nginx', registry.reference('lk/envfile:v1')], withEnv);
    await expectServed(registry, 'lk/envfile', 'v1', demo);
    await pullAndCompare('lk/envfile:v1', [], withEnv);
    await pullAndCompare('lk/envfile:v1', ['--authfile', good], { ...at, env: { REGISTRY_AUTH_FILE: bad } });
  });

  it('a wrong password on a pull: exit 1, one stderr line saying unauthorized, the password nowhere', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const result = await cli(
      ['copy', '--creds', `alice:${wrong}`, registry.reference('lk/creds:v1'), 'oci:wrong-pull:v1'],
      at,
    );
    expect(result.status).toBe(1);
    expectNoSecret(result, 'alice', wrong);
    expect(stderrLines(result)).toHaveLength(1);
    expect(result.stderr).toMatch(/^layerkit: copy: .*unauthori[sz]ed/i);
  });

  it('a wrong password on a push: exit 1, one stderr line saying unauthorized, the password nowhere', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const result = await cli(
      ['copy', '--creds', `alice:${wrong}`, 'oci:../images:nginx', registry.reference('lk/wrong:v1')],
      at,
    );
    expect(result.status).toBe(1);
    expectNoSecret(result, 'alice', wrong);
    await expectNoTag(registry, 'lk/wrong', 'v1');
    expect(stderrLines(result)).toHaveLength(1);
    // A push's first authorized requests are HEADs: a 401 to a HEAD has no body, and the
    // message then reads "…: HEAD http://…/blobs/sha256:…: HTTP 401" with no word of why.
    expect(result.stderr).toMatch(/^layerkit: copy: .*unauthori[sz]ed/i);
  });

  it('--debug shows a stack but never the password (wrong, or right and failing later)', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const refused = await cli(
      [
        'copy',
        '--debug',
        '--creds',
        `alice:${wrong}`,
        registry.reference('lk/creds:v1'),
        'oci:debug-pull:v1',
      ],
      at,
    );
    expect(refused.status).toBe(1);
    expect(stderrLines(refused).length).toBeGreaterThan(1);
    expect(refused.stderr).toMatch(/unauthori[sz]ed/i);
    expectNoSecret(refused, 'alice', wrong);
    const missing = await cli(
      ['copy', '--debug', '--creds', creds, registry.reference('lk/creds:no-such-tag'), 'oci:debug-pull:v1'],
      at,
    );
    expect(missing.status).toBe(1);
    expect(stderrLines(missing).length).toBeGreaterThan(1);
    expectNoSecret(missing, 'alice', password);
  });

  it('an anonymous push is refused and tags nothing; so is an anonymous pull', async () => {
    const push = await cli(['copy', 'oci:../images:nginx', registry.reference('lk/anonymous:v1')], at);
    expect(push.status).toBe(1);
    expect(stderrLines(push)).toHaveLength(1);
    expect(push.stderr).toMatch(/credentials|unauthori[sz]ed/i);
    await expectNoTag(registry, 'lk/anonymous', 'v1');
    const pull = await cli(['copy', registry.reference('lk/creds:v1'), 'oci:anonymous-pull:v1'], at);
    expect(pull.status).toBe(1);
    expect(stderrLines(pull)).toHaveLength(1);
  });
});

describe('token auth', () => {
  const LAYERS = 12;
  let registry: Registry;
  let at: CliOptions;
  let alice: string;
  let bob: string;
  let layered: LayoutImage;
  let pushTokens: TokenRequest[] = [];

  beforeAll(async () => {
    at = { cwd: join(scratch.path, 'token') };
    mkdirSync(at.cwd);
    registry = tokens;
    layered = await buildLayeredImage(join(at.cwd, 'layered'), LAYERS, 7);
    alice = `alice:${registry.users.alice}`;
    bob = `bob:${registry.users.bob}`;
  });

  it(`alice pushes a ${LAYERS}-layer image asking the token server a bounded number of times, not per request`, async () => {
    const before = registry.tokenRequests().length;
    const { requests, result } = await requestsDuring(registry, () =>
      cliOk(['copy', '--creds', alice, 'oci:layered/layout:v1', registry.reference('lk/app:v1')], at),
    );
    expect(result.trim()).toBe(layered.descriptor.digest);
    await expectServed(registry, 'lk/app', 'v1', layered);
    pushTokens = registry.tokenRequests().slice(before);
    const blobs = LAYERS + 1;
    const authorized = requests.filter((request: RegistryRequest) => request.path !== '/v2/');
    // at least one HEAD, one POST and one PUT per blob, and the manifest
    expect(authorized.length).toBeGreaterThanOrEqual(3 * blobs + 1);
    expect(pushTokens.length).toBeGreaterThan(0);
    expect(pushTokens.length).toBeLessThan(blobs);
    for (const token of pushTokens) {
      expect(token).toMatchObject({ user: 'alice', status: 200 });
      expect(token.scopes.every((scope) => scope.startsWith('repository:lk/app:'))).toBe(true);
    }
    expect(pushTokens.flatMap((token) => token.granted)).toContain('repository:lk/app:pull,push');
  });

  it('a token is fetched once per scope: concurrent requests wait for the one being fetched', () => {
    // Authenticator caches a token only once its fetch has finished, so the sink's concurrent
    // blob uploads (maxConcurrentWrites 4) each fetch the same token for the same scope.
    expect(pushTokens.length, 'the push above recorded its token requests').toBeGreaterThan(0);
    const scopeSets = pushTokens.map((token) => token.scopes.join(' '));
    expect(scopeSets).toEqual([...new Set(scopeSets)]);
  });

  it('alice pulls it back (same manifest digest), again with a bounded number of tokens', async () => {
    const before = registry.tokenRequests().length;
    const printed = await cliOk(
      ['copy', '--creds', alice, registry.reference('lk/app:v1'), 'oci:alice-pull:v1'],
      at,
    );
    expect(printed.trim()).toBe(layered.descriptor.digest);
    expect(
      readLayoutImage(join(at.cwd, 'alice-pull'), 'v1').manifestBytes.equals(layered.manifestBytes),
    ).toBe(true);
    const tokens = registry.tokenRequests().slice(before);
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.length).toBeLessThanOrEqual(2);
  });

  it('a copy into another repository mounts every layer with one token for both repositories', async () => {
    const before = registry.tokenRequests().length;
    const { requests } = await requestsDuring(registry, () =>
      cliOk(
        ['copy', '--creds', alice, registry.reference('lk/app:v1'), registry.reference('lk/mounted:v1')],
        at,
      ),
    );
    await expectServed(registry, 'lk/mounted', 'v1', layered);
    for (const layer of layered.manifest.layers) {
      expect(requests).toContainEqual({
        method: 'POST',
        path: '/v2/lk/mounted/blobs/uploads/',
        query: { mount: layer.digest, from: 'lk/app' },
        status: 201,
      });
    }
    expect(requests.filter((request) => request.method === 'PATCH')).toEqual([]);
    expect(registry.tokenRequests().slice(before)).toContainEqual({
      user: 'alice',
      scopes: expect.arrayContaining(['repository:lk/mounted:pull,push', 'repository:lk/app:pull']),
      status: 200,
      granted: expect.arrayContaining(['repository:lk/mounted:pull,push', 'repository:lk/app:pull']),
    });
  });

  it('a wrong password: the token server refuses it, in one line that never shows it', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const push = await cli(
      ['copy', '--creds', `alice:${wrong}`, 'oci:layered/layout:v1', registry.reference('lk/wrong:v1')],
      at,
    );
    expect(push.status).toBe(1);
    expectNoSecret(push, 'alice', wrong);
    expect(stderrLines(push)).toHaveLength(1);
    expect(push.stderr).toMatch(/^layerkit: copy: .*unauthori[sz]ed/i);
    await expectNoTag(registry, 'lk/wrong', 'v1');
    expect(registry.tokenRequests().at(-1)).toMatchObject({ user: 'alice', status: 401 });
  });

  it('bob (pull only) may pull, but his push is denied and nothing is tagged', async () => {
    const pulled = await cliOk(
      ['copy', '--creds', bob, registry.reference('lk/app:v1'), 'oci:bob-pull:v1'],
      at,
    );
    expect(pulled.trim()).toBe(layered.descriptor.digest);
    const before = registry.tokenRequests().length;
    const push = await cli(
      ['copy', '--creds', bob, 'oci:layered/layout:v1', registry.reference('lk/bob:v1')],
      at,
    );
    expect(push.status).toBe(1);
    expect(stderrLines(push)).toHaveLength(1);
    expect(push.stderr).toMatch(/denied|insufficient|not allowed|unauthori[sz]ed/i);
    expectNoSecret(push, 'bob', registry.users.bob ?? '');
    await expectNoTag(registry, 'lk/bob', 'v1');
    const tokens = registry.tokenRequests().slice(before);
    expect(tokens).toContainEqual({
      user: 'bob',
      scopes: ['repository:lk/bob:pull,push'],
      status: 200,
      granted: ['repository:lk/bob:pull'],
    });
  });

  it('anonymous pull of public/* works; of anything else it is refused', async () => {
    await cliOk(['copy', '--creds', alice, 'oci:../images:nginx', registry.reference('public/nginx:v1')], at);
    const before = registry.tokenRequests().length;
    const printed = await cliOk(['copy', registry.reference('public/nginx:v1'), 'oci:anonymous-pull:v1'], at);
    expect(printed.trim()).toBe(demo.descriptor.digest);
    expect(
      readLayoutImage(join(at.cwd, 'anonymous-pull'), 'v1').manifestBytes.equals(demo.manifestBytes),
    ).toBe(true);
    const tokens = registry.tokenRequests().slice(before);
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) expect(token).toMatchObject({ user: null, status: 200 });
    const refused = await cli(['copy', registry.reference('lk/app:v1'), 'oci:anonymous-private:v1'], at);
    expect(refused.status).toBe(1);
    expect(stderrLines(refused)).toHaveLength(1);
  });

  it('an anonymous push into public/* is refused too', async () => {
    const push = await cli(['copy', 'oci:../images:nginx', registry.reference('public/anonymous:v1')], at);
    expect(push.status).toBe(1);
    expect(stderrLines(push)).toHaveLength(1);
    await expectNoTag(registry, 'public/anonymous', 'v1');
  });
});

describe('one auth file for two registries', () => {
  let at: CliOptions;
  let file: string;
  beforeAll(() => {
    at = { cwd: join(scratch.path, 'both') };
    mkdirSync(at.cwd);
    const auths = (registry: Registry, user: string) => ({
      [registry.address]: {
        auth: Buffer.from(`${user}:${registry.users[user]}`).toString('base64'),
      },
    });
    file = join(at.cwd, 'auth.json');
    writeFileSync(file, JSON.stringify({ auths: { ...auths(basic, 'bob'), ...auths(tokens, 'alice') } }));
  });

  it("copy docker://htpasswd/… docker://token/… takes each registry's own credentials from --authfile", async () => {
    const printed = await cliOk(
      ['copy', '--authfile', file, basic.reference('lk/creds:v1'), tokens.reference('lk/from-basic:v1')],
      at,
    );
    expect(printed.trim()).toBe(demo.descriptor.digest);
    await expectServed(tokens, 'lk/from-basic', 'v1', demo);
    expect(tokens.tokenRequests().at(-1)).toMatchObject({ user: 'alice', status: 200 });
  });

  it('with no flag at all, from where `docker login` writes (~/.docker/config.json)', async () => {
    mkdirSync(join(at.cwd, '.home', '.docker'), { recursive: true });
    writeFileSync(join(at.cwd, '.home', '.docker', 'config.json'), readFileSync(file));
    const printed = await cliOk(
      ['copy', tokens.reference('lk/from-basic:v1'), basic.reference('lk/from-token:v1')],
      at,
    );
    expect(printed.trim()).toBe(demo.descriptor.digest);
    await expectServed(basic, 'lk/from-token', 'v1', demo);
  });
});
