/**
 * Which `auths` key of a file applies: every spelling Docker has written for a registry,
 * containers/image's repository-scoped keys, and how one entry decodes.
 */

import { defaultCredentials } from '@layerkit/registry/node';
import { describe, expect, it } from 'vitest';
import { basic, sandbox, writeJson } from '../../../fixtures/credentials-sandbox.js';

/** A provider over one `~/.docker/config.json` (or `~/.dockercfg` when `legacy`) holding `auths`. */
function providerFor(auths: Record<string, unknown>, legacy = false) {
  const box = sandbox();
  writeJson(legacy ? box.paths.legacy : box.paths.docker, legacy ? auths : { auths });
  return defaultCredentials({ env: box.env, homeDir: box.home });
}

const HUB = { username: 'hub', password: 'hub-pass' };

describe('Docker Hub keys', () => {
  const spellings = [
    'docker.io',
    'https://index.docker.io/v1/',
    'index.docker.io',
    'registry-1.docker.io',
    'http://index.docker.io/v1/',
    'https://index.docker.io',
    'https://registry-1.docker.io/v2/',
  ];
  for (const key of spellings) {
    it(`finds docker.io credentials under ${key}`, async () => {
      const provider = providerFor({ [key]: { auth: basic('hub', 'hub-pass') } });
      expect(await provider('docker.io', 'library/nginx')).toEqual(HUB);
      // Every name of Docker Hub a caller may pass is the same registry.
      expect(await provider('index.docker.io', 'library/nginx')).toEqual(HUB);
      expect(await provider('registry-1.docker.io', 'library/nginx')).toEqual(HUB);
      expect(await provider('quay.io', 'library/nginx')).toBeUndefined();
    });
  }

  it('finds them in a legacy ~/.dockercfg', async () => {
    const provider = providerFor(
      { 'https://index.docker.io/v1/': { auth: basic('hub', 'hub-pass'), email: 'x@y' } },
      true,
    );
    expect(await provider('docker.io', 'library/nginx')).toEqual(HUB);
  });
});

describe('other registries', () => {
  const matching = [
    'registry.example:5000',
    'https://registry.example:5000',
    'http://registry.example:5000/',
    'https://registry.example:5000/v2/',
    'https://registry.example:5000/v1/',
    'registry.example:5000/',
    'registry.example:5000//',
  ];
  for (const key of matching) {
    it(`reads ${key} as registry.example:5000`, async () => {
      const provider = providerFor({ [key]: { auth: basic('u', 'p') } });
      expect(await provider('registry.example:5000', 'team/app')).toEqual({ username: 'u', password: 'p' });
      expect(await provider('registry.example', 'team/app')).toBeUndefined();
      expect(await provider('registry.example:5001', 'team/app')).toBeUndefined();
    });
  }

  it('prefers the exact key to another spelling of the same registry', async () => {
    const provider = providerFor({
      'https://registry.example:5000/v1/': { auth: basic('url', 'p') },
      'registry.example:5000': { auth: basic('exact', 'p') },
    });
    expect(await provider('registry.example:5000', 'app')).toEqual({ username: 'exact', password: 'p' });
  });

  it('reads every key of a legacy ~/.dockercfg as a registry', async () => {
    const provider = providerFor(
      {
        'https://legacy.example/v1/': { auth: basic('url', 'p') },
        'other.example:5000/some/path': { auth: basic('path', 'p') },
      },
      true,
    );
    expect(await provider('legacy.example', 'app')).toEqual({ username: 'url', password: 'p' });
    expect(await provider('other.example:5000', 'app')).toEqual({ username: 'path', password: 'p' });
  });
});

describe('repository-scoped keys (containers/image)', () => {
  const provider = () =>
    providerFor({
      'quay.example/team/app': { auth: basic('repo', 'p') },
      'quay.example/team': { auth: basic('namespace', 'p') },
      'quay.example': { auth: basic('registry', 'p') },
      'quay.example/other/': { auth: basic('slashed', 'p') },
      'docker.io/library': { auth: basic('library', 'p') },
    });

  it('prefers host/ns/repo to host/ns to host', async () => {
    const lookup = provider();
    expect(await lookup('quay.example', 'team/app')).toEqual({ username: 'repo', password: 'p' });
    expect(await lookup('quay.example', 'team/app/sub')).toEqual({ username: 'repo', password: 'p' });
    expect(await lookup('quay.example', 'team/tool')).toEqual({ username: 'namespace', password: 'p' });
    expect(await lookup('quay.example', 'teammate/app')).toEqual({ username: 'registry', password: 'p' });
    expect(await lookup('quay.example', '')).toEqual({ username: 'registry', password: 'p' });
  });

  it('accepts a namespace key with a trailing slash', async () => {
    expect(await provider()('quay.example', 'other/app')).toEqual({ username: 'slashed', password: 'p' });
  });

  it('scopes docker.io keys by the normalized name', async () => {
    const lookup = provider();
    expect(await lookup('docker.io', 'library/nginx')).toEqual({ username: 'library', password: 'p' });
    expect(await lookup('docker.io', 'someone/nginx')).toBeUndefined();
  });

  it('never applies a namespace key to the rest of the registry', async () => {
    const lookup = providerFor({ 'quay.example/team': { auth: basic('namespace', 'p') } });
    expect(await lookup('quay.example', 'elsewhere/app')).toBeUndefined();
  });

  it('an empty entry for the best key means none, as in containers/image', async () => {
    const lookup = providerFor({ 'quay.example/team': {}, 'quay.example': { auth: basic('registry', 'p') } });
    expect(await lookup('quay.example', 'team/app')).toBeUndefined();
    expect(await lookup('quay.example', 'other/app')).toEqual({ username: 'registry', password: 'p' });
  });
});

describe('one entry', () => {
  it('splits user:password at the first colon', async () => {
    const lookup = providerFor({ 'a.example': { auth: basic('alice', 'pa:ss:word') } });
    expect(await lookup('a.example', 'x')).toEqual({ username: 'alice', password: 'pa:ss:word' });
  });

  it('decodes UTF-8 and drops NULs around the password', async () => {
    const auth = Buffer.from('jürgen:pässword\0\0').toString('base64');
    expect(await providerFor({ 'a.example': { auth } })('a.example', 'x')).toEqual({
      username: 'jürgen',
      password: 'pässword',
    });
  });

  it('accepts base64 wrapped over lines', async () => {
    const auth = basic('alice', 'a-long-password-that-wraps');
    const wrapped = `${auth.slice(0, 8)}\r\n${auth.slice(8)}\n`;
    expect(await providerFor({ 'a.example': { auth: wrapped } })('a.example', 'x')).toEqual({
      username: 'alice',
      password: 'a-long-password-that-wraps',
    });
  });

  it('gives an identitytoken as an identity token, with the username when there is one', async () => {
    const lookup = providerFor({
      'token.example': { identitytoken: 'refresh-token' },
      'both.example': { auth: basic('alice', ''), identitytoken: 'refresh-token' },
    });
    expect(await lookup('token.example', 'x')).toEqual({ identityToken: 'refresh-token' });
    expect(await lookup('both.example', 'x')).toEqual({ identityToken: 'refresh-token', username: 'alice' });
  });

  it('treats {}, null, empty strings and unknown fields as no credentials', async () => {
    const lookup = providerFor({
      'a.example': {},
      'b.example': null,
      'c.example': { auth: '', identitytoken: '', email: 'x@y' },
    });
    for (const registry of ['a.example', 'b.example', 'c.example'])
      expect(await lookup(registry, 'x')).toBeUndefined();
  });

  it('matches field names without regard to case, as Go does', async () => {
    const box = sandbox();
    writeJson(box.paths.docker, {
      Auths: { 'a.example': { Auth: basic('u', 'p') }, 'b.example': { IdentityToken: 't' } },
    });
    const lookup = defaultCredentials({ env: box.env, homeDir: box.home });
    expect(await lookup('a.example', 'x')).toEqual({ username: 'u', password: 'p' });
    expect(await lookup('b.example', 'x')).toEqual({ identityToken: 't' });
  });

  it('returns a fresh object each time', async () => {
    const lookup = providerFor({ 'a.example': { auth: basic('u', 'p') } });
    const first = await lookup('a.example', 'x');
    expect(await lookup('a.example', 'x')).not.toBe(first);
  });
});
