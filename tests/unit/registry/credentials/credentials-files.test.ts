/**
 * Which auth files the lookup reads and in which order (containers/image getAuthFilePaths):
 * --creds first, --authfile or REGISTRY_AUTH_FILE alone, else the per-session auth.json,
 * XDG_CONFIG_HOME's, Docker's config.json and the legacy ~/.dockercfg.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCredentials } from '@layerkit/registry/node';
import { describe, expect, it } from 'vitest';
import { authFileLocations } from '../../../../packages/registry/src/node/credentials/auth-file-locations.js';
import { basic, sandbox, thrown, writeJson, writeText } from '../../../fixtures/credentials-sandbox.js';

type Paths = ReturnType<typeof sandbox>['paths'];
const ORDER: (keyof Paths)[] = ['runtime', 'configHome', 'docker', 'legacy'];

/** An auth file (legacy or not) with one entry per registry, the password naming the file. */
function writeAuths(path: string, legacy: boolean, entries: Record<string, string>): void {
  const auths = Object.fromEntries(
    Object.entries(entries).map(([key, password]) => [key, { auth: basic('u', password) }]),
  );
  writeJson(path, legacy ? auths : { auths });
}

describe('the auth file search order', () => {
  it('takes the first file, in containers/image order, that has the registry', async () => {
    for (const [first, name] of ORDER.entries()) {
      const box = sandbox();
      for (const later of ORDER.slice(first)) {
        writeAuths(box.paths[later], later === 'legacy', {
          'shared.example': later,
          [`only-${later}.example`]: later,
        });
      }
      const provider = defaultCredentials({ env: box.env, homeDir: box.home });
      expect(await provider('shared.example', 'team/app')).toEqual({ username: 'u', password: name });
      for (const later of ORDER.slice(first)) {
        expect(await provider(`only-${later}.example`, 'app')).toEqual({ username: 'u', password: later });
      }
      expect(await provider('nowhere.example', 'app')).toBeUndefined();
    }
  });

  it('reads XDG_CONFIG_HOME and DOCKER_CONFIG instead of the defaults under the home directory', async () => {
    const box = sandbox();
    const configHome = join(box.dir, 'xdg-config');
    const dockerConfig = join(box.dir, 'docker-config');
    writeAuths(join(configHome, 'containers', 'auth.json'), false, { 'a.example': 'xdg' });
    writeAuths(box.paths.configHome, false, { 'a.example': 'home-config', 'b.example': 'home-config' });
    writeAuths(join(dockerConfig, 'config.json'), false, { 'b.example': 'docker-config' });
    writeAuths(box.paths.docker, false, { 'b.example': 'home-docker', 'c.example': 'home-docker' });
    const env = { ...box.env, XDG_CONFIG_HOME: configHome, DOCKER_CONFIG: dockerConfig };
    const provider = defaultCredentials({ env, homeDir: box.home });
    expect(await provider('a.example', 'x')).toEqual({ username: 'u', password: 'xdg' });
    expect(await provider('b.example', 'x')).toEqual({ username: 'u', password: 'docker-config' });
    expect(await provider('c.example', 'x')).toBeUndefined();
  });

  it('takes the home directory from HOME when no homeDir is given', async () => {
    const box = sandbox();
    writeAuths(box.paths.docker, false, { 'a.example': 'from-home' });
    expect(await defaultCredentials({ env: box.env })('a.example', 'x')).toEqual({
      username: 'u',
      password: 'from-home',
    });
  });

  it('skips missing files and a missing XDG_RUNTIME_DIR silently', async () => {
    const box = sandbox();
    writeAuths(box.paths.legacy, true, { 'a.example': 'legacy' });
    const env = { ...box.env, XDG_RUNTIME_DIR: join(box.dir, 'never-created') };
    expect(await defaultCredentials({ env, homeDir: box.home })('a.example', 'x')).toEqual({
      username: 'u',
      password: 'legacy',
    });
    expect(await defaultCredentials({ env, homeDir: box.home })('b.example', 'x')).toBeUndefined();
  });

  it('lists the locations containers/image searches on Linux and elsewhere', () => {
    const env = { XDG_RUNTIME_DIR: '/run/user/1000' };
    expect(authFileLocations({ env, homeDir: '/home/u' }, 'linux', 1000)).toEqual([
      { path: '/run/user/1000/containers/auth.json', legacy: false },
      { path: '/home/u/.config/containers/auth.json', legacy: false },
      { path: '/home/u/.docker/config.json', legacy: false },
      { path: '/home/u/.dockercfg', legacy: true },
    ]);
    // Without XDG_RUNTIME_DIR podman keeps the per-session file under /run/containers/<uid>.
    expect(authFileLocations({ env: {}, homeDir: '/root' }, 'linux', 0)[0]).toEqual({
      path: '/run/containers/0/auth.json',
      legacy: false,
    });
    expect(authFileLocations({ env, homeDir: '/Users/u' }, 'darwin', 501)[0]).toEqual({
      path: '/Users/u/.config/containers/auth.json',
      legacy: false,
    });
  });
});

describe('--authfile and REGISTRY_AUTH_FILE', () => {
  function boxWithDefaults() {
    const box = sandbox();
    for (const name of ORDER)
      writeAuths(box.paths[name], name === 'legacy', { 'a.example': name, 'b.example': name });
    const custom = join(box.dir, 'custom.json');
    const flag = join(box.dir, 'flag.json');
    writeAuths(custom, false, { 'a.example': 'REGISTRY_AUTH_FILE' });
    writeAuths(flag, false, { 'a.example': '--authfile' });
    return { box, custom, flag };
  }

  it('REGISTRY_AUTH_FILE is the only file read', async () => {
    const { box, custom } = boxWithDefaults();
    const provider = defaultCredentials({
      env: { ...box.env, REGISTRY_AUTH_FILE: custom },
      homeDir: box.home,
    });
    expect(await provider('a.example', 'x')).toEqual({ username: 'u', password: 'REGISTRY_AUTH_FILE' });
    expect(await provider('b.example', 'x')).toBeUndefined();
  });

  it('--authfile is the only file read, over REGISTRY_AUTH_FILE', async () => {
    const { box, custom, flag } = boxWithDefaults();
    const env = { ...box.env, REGISTRY_AUTH_FILE: custom };
    const provider = defaultCredentials({ authFile: flag, env, homeDir: box.home });
    expect(await provider('a.example', 'x')).toEqual({ username: 'u', password: '--authfile' });
    expect(await provider('b.example', 'x')).toBeUndefined();
  });

  it('a missing --authfile means anonymous access, not the default files', async () => {
    const { box } = boxWithDefaults();
    const provider = defaultCredentials({
      authFile: join(box.dir, 'absent.json'),
      env: box.env,
      homeDir: box.home,
    });
    expect(await provider('a.example', 'x')).toBeUndefined();
  });

  it('an empty REGISTRY_AUTH_FILE counts as unset', async () => {
    const { box } = boxWithDefaults();
    const provider = defaultCredentials({ env: { ...box.env, REGISTRY_AUTH_FILE: '' }, homeDir: box.home });
    expect(await provider('a.example', 'x')).toEqual({ username: 'u', password: 'runtime' });
  });
});

describe('--creds', () => {
  it('overrides every file, for every registry', async () => {
    const box = sandbox();
    const flag = join(box.dir, 'flag.json');
    writeAuths(box.paths.docker, false, { 'a.example': 'docker' });
    writeAuths(flag, false, { 'a.example': 'flag' });
    const provider = defaultCredentials({
      creds: 'alice:pa:ss',
      authFile: flag,
      env: box.env,
      homeDir: box.home,
    });
    expect(await provider('a.example', 'x')).toEqual({ username: 'alice', password: 'pa:ss' });
    expect(await provider('docker.io', 'library/nginx')).toEqual({ username: 'alice', password: 'pa:ss' });
  });

  it('takes USER alone as an empty password, as skopeo does', async () => {
    expect(
      await defaultCredentials({ creds: 'alice', env: {}, homeDir: '/nonexistent' })('a.example', 'x'),
    ).toEqual({
      username: 'alice',
      password: '',
    });
  });

  it('rejects an empty value or username when the provider is made', () => {
    expect(thrown(() => defaultCredentials({ creds: '' })).code).toBe('INVALID_CREDENTIALS');
    expect(thrown(() => defaultCredentials({ creds: ':secret' })).code).toBe('INVALID_CREDENTIALS');
  });
});

describe('caching', () => {
  it('reads each file once per provider', async () => {
    const box = sandbox();
    writeAuths(box.paths.docker, false, { 'a.example': 'first' });
    const provider = defaultCredentials({ env: box.env, homeDir: box.home });
    expect(await provider('a.example', 'x')).toEqual({ username: 'u', password: 'first' });
    writeAuths(box.paths.docker, false, { 'a.example': 'second' });
    rmSync(box.paths.docker);
    expect(await provider('a.example', 'x')).toEqual({ username: 'u', password: 'first' });
    writeAuths(box.paths.docker, false, { 'a.example': 'second' });
    expect(await defaultCredentials({ env: box.env, homeDir: box.home })('a.example', 'x')).toEqual({
      username: 'u',
      password: 'second',
    });
  });

  it('reads no file before the first lookup', async () => {
    const box = sandbox();
    writeText(box.paths.docker, '{not json');
    const provider = defaultCredentials({ env: box.env, homeDir: box.home });
    writeAuths(box.paths.docker, false, { 'a.example': 'written later' });
    expect(await provider('a.example', 'x')).toEqual({ username: 'u', password: 'written later' });
  });
});
