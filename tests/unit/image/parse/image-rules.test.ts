import { type Descriptor, type ImageIndex, MediaTypes, parsePlatform } from '@layerkit/image';
import { describe, expect, it } from 'vitest';
import { resolvePlatformManifest, selectPlatform } from '../../../../packages/image/src/parse/platform.js';
import { isValidRefName } from '../../../../packages/image/src/parse/ref-name.js';
import { parseUser } from '../../../../packages/image/src/parse/user.js';
import { errorOf } from '../../../fixtures/error-of.js';

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}` as Descriptor['digest'];
const entry = (
  n: number,
  platform?: Descriptor['platform'],
  mediaType: string = MediaTypes.ociManifest,
): Descriptor => ({
  mediaType,
  digest: digest(n),
  size: 1,
  ...(platform ? { platform } : {}),
});

describe('parseUser (R15)', () => {
  it.each([
    ['', { user: 0 }],
    ['root', { user: 'root' }],
    ['1000', { user: 1000 }],
    ['1000:1000', { user: 1000, group: 1000 }],
    ['nginx:0', { user: 'nginx', group: 0 }],
    ['0:wheel', { user: 0, group: 'wheel' }],
    ['www-data:www-data', { user: 'www-data', group: 'www-data' }],
  ])('%j', (text, expected) => {
    expect(parseUser(text)).toEqual(expected);
  });

  it.each(['-1', '+5', '0x10', '1:2:3', ':0', '0:', 'a/b', '4294967295'])('rejects %j', (text) => {
    expect(errorOf(() => parseUser(text)).code).toBe('INVALID_USER');
  });
});

describe('ref names (R18)', () => {
  it.each(['latest', 'nginx:v2', 'a--b', 'docker.io/library/nginx:1.25', 'a@b+c_d'])('accepts %j', (name) => {
    expect(isValidRefName(name)).toBe(true);
  });
  it('rejects overlong names', () => {
    expect(isValidRefName('a'.repeat(1025))).toBe(false);
  });
});

describe('platform selection (R19, R11)', () => {
  const amd64 = entry(1, { os: 'linux', architecture: 'amd64' });
  const arm64 = entry(2, { os: 'linux', architecture: 'arm64' });
  const armv6 = entry(3, { os: 'linux', architecture: 'arm', variant: 'v6' });
  const attestation = entry(4, { os: 'unknown', architecture: 'unknown' });
  const unknownType = entry(5, { os: 'linux', architecture: 'amd64' }, 'application/vnd.example+json');
  const index: ImageIndex = { schemaVersion: 2, manifests: [unknownType, attestation, amd64, arm64, armv6] };

  it('takes the first match, skipping attestations and unknown media types', () => {
    expect(selectPlatform(index)).toBe(amd64);
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm64' })).toBe(arm64);
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(arm64);
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' })).toBeUndefined();
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v6' })).toBe(armv6);
    expect(selectPlatform(index, { os: 'windows', architecture: 'amd64' })).toBeUndefined();
    expect(selectPlatform({ schemaVersion: 2, manifests: [attestation] })).toBeUndefined();
  });

  it('parses --platform strings', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    for (const bad of ['linux', 'linux//x', 'a/b/c/d', 'linux/../x/y']) {
      expect(errorOf(() => parsePlatform(bad)).code).toBe('INVALID_PLATFORM');
    }
  });

  it('descends into nested indexes and walks each shared child once', async () => {
    const child: ImageIndex = {
      schemaVersion: 2,
      manifests: [entry(10, { os: 'linux', architecture: 's390x' })],
    };
    const fanOut: ImageIndex = {
      schemaVersion: 2,
      manifests: Array.from({ length: 1000 }, () => entry(99, undefined, MediaTypes.ociIndex)),
    };
    let loads = 0;
    const load = async () => {
      loads++;
      return child;
    };
    const want = { os: 'linux', architecture: 'arm64' };
    expect(await resolvePlatformManifest(fanOut, load, want)).toBeUndefined();
    expect(loads).toBe(1);
    expect(await resolvePlatformManifest(fanOut, load, { os: 'linux', architecture: 's390x' })).toEqual(
      child.manifests[0],
    );
  });

  it('caps depth and total entries', async () => {
    const nested = (n: number): ImageIndex => ({
      schemaVersion: 2,
      manifests: [entry(n, undefined, MediaTypes.ociIndex)],
    });
    const deep = (d: Descriptor) => Promise.resolve(nested(Number.parseInt(d.digest.slice(7), 16) + 1));
    await expect(resolvePlatformManifest(nested(0), deep)).rejects.toMatchObject({ code: 'INDEX_TOO_DEEP' });
    const wide: ImageIndex = {
      schemaVersion: 2,
      manifests: Array.from({ length: 11 }, (_, i) => entry(i, undefined, 'x/y')),
    };
    await expect(
      resolvePlatformManifest(wide, deep, undefined, { maxDescriptors: 10 }),
    ).rejects.toMatchObject({
      code: 'INDEX_TOO_LARGE',
    });
    const self = (d: Descriptor) => Promise.resolve(nested(Number.parseInt(d.digest.slice(7), 16)));
    await expect(resolvePlatformManifest(nested(0), self)).rejects.toMatchObject({ code: 'INDEX_CYCLE' });
  });
});
