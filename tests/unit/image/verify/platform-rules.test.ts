import type { Digest } from '@layerkit/digest';
import { MediaTypes } from '@layerkit/image';
import { describe, expect, it } from 'vitest';
import { checkAnnotations } from '../../../../packages/image/src/verify/annotation-rules.js';
import {
  checkEntryPlatform,
  checkPlatformFields,
} from '../../../../packages/image/src/verify/platform-rules.js';

const C = `sha256:${'c'.repeat(64)}` as Digest;
const config = {
  architecture: 'arm',
  os: 'linux',
  variant: 'v7',
  rootfs: { type: 'layers' as const, diff_ids: [] },
};
const entry = (platform: { os: string; architecture: string; variant?: string }) => ({
  mediaType: MediaTypes.ociManifest,
  digest: `sha256:${'e'.repeat(64)}` as Digest,
  size: 1,
  platform,
});

describe('platform rules (warnings)', () => {
  it('takes Go values and warns about empty or unknown ones', () => {
    expect(checkPlatformFields({ os: 'linux', architecture: 'riscv64' }, 'config')).toEqual([]);
    const problems = checkPlatformFields({ os: '', architecture: 'x86_64' }, 'config');
    expect(problems.map((p) => `${p.severity} ${p.code}: ${p.message}`)).toEqual([
      'warning PLATFORM_FIELD_MISSING: config: os is empty',
      'warning PLATFORM_VALUE_UNKNOWN: config: architecture "x86_64" is not a Go GOARCH value',
    ]);
  });

  it('warns when an index entry names another platform than the config', () => {
    expect(checkEntryPlatform(entry({ os: 'linux', architecture: 'arm', variant: 'v7' }), config, C)).toEqual(
      [],
    );
    expect(checkEntryPlatform(entry({ os: 'linux', architecture: 'arm' }), config, C)).toEqual([]);
    const problems = checkEntryPlatform(
      entry({ os: 'linux', architecture: 'arm', variant: 'v6' }),
      config,
      C,
    );
    expect(problems.map((p) => p.message)).toEqual([
      `index entry sha256:${'e'.repeat(64)} says linux/arm/v6, its config ${C} linux/arm/v7`,
    ]);
  });
});

describe('annotation rules (warnings)', () => {
  it('warns about a bad ref name and an empty key', () => {
    expect(checkAnnotations({ 'org.opencontainers.image.ref.name': 'v1.0' }, 'index.json')).toEqual([]);
    const problems = checkAnnotations({ 'org.opencontainers.image.ref.name': '../x', '': 'y' }, 'index.json');
    expect(problems.map((p) => `${p.severity} ${p.code}`)).toEqual([
      'warning ANNOTATION_KEY_EMPTY',
      'warning REF_NAME_INVALID',
    ]);
  });
});
