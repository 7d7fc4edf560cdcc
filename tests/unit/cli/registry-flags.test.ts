import { describe, expect, it } from 'vitest';
import { registryOptionsOf, registrySidesOf } from '../../../packages/cli/src/flags.js';

describe('registry flags', () => {
  it('no flags: skopeo defaults on both sides', () => {
    expect(registrySidesOf({})).toEqual({
      registry: undefined,
      sourceRegistry: undefined,
      destinationRegistry: undefined,
    });
  });

  it('unprefixed flags apply to both sides; a side without flags of its own uses them', () => {
    const sides = registrySidesOf({ creds: 'alice:pw', 'tls-verify': false });
    expect(sides.registry).toEqual({ creds: 'alice:pw', tlsVerify: false });
    expect(sides.sourceRegistry).toBeUndefined();
    expect(sides.destinationRegistry).toBeUndefined();
  });

  it('--src-* and --dest-* override the unprefixed flags for their side only (as skopeo copy)', () => {
    const sides = registrySidesOf({
      creds: 'alice:pw',
      'tls-verify': false,
      'src-cert-dir': '/certs/a',
      'dest-creds': 'bob:pw2',
      'dest-tls-verify': true,
      'dest-authfile': '/auth.json',
    });
    expect(sides.sourceRegistry).toEqual({ creds: 'alice:pw', tlsVerify: false, certDir: '/certs/a' });
    expect(sides.destinationRegistry).toEqual({ creds: 'bob:pw2', tlsVerify: true, authFile: '/auth.json' });
  });

  it('--src-tls-verify=false alone makes only the source insecure', () => {
    const sides = registrySidesOf({ 'src-tls-verify': false });
    expect(sides.registry).toBeUndefined();
    expect(sides.sourceRegistry).toEqual({ tlsVerify: false });
    expect(sides.destinationRegistry).toBeUndefined();
  });

  it.each([
    [{ creds: '' }, '--creds'],
    [{ 'src-creds': ':pw' }, '--src-creds'],
    [{ 'dest-creds': '' }, '--dest-creds'],
  ])('refuses %j naming the flag', (flags, name) => {
    expect(() => registrySidesOf(flags)).toThrow(`invalid ${name}: expected USER[:PASS]`);
  });

  it('registryOptionsOf reads the unprefixed flags only', () => {
    expect(registryOptionsOf({ 'src-creds': 'a:b' })).toBeUndefined();
    expect(registryOptionsOf({ authfile: '/a.json' })).toEqual({ authFile: '/a.json' });
  });
});
