import type { Digest } from '@layerkit/digest';
import type { ImageConfig } from '@layerkit/image';
import { describe, expect, it } from 'vitest';
import { checkConfigTimes, isRfc3339 } from '../../../../packages/image/src/verify/config-time-rules.js';

const DIGEST = `sha256:${'c'.repeat(64)}` as Digest;
const config = (extra: Partial<ImageConfig>): ImageConfig => ({
  architecture: 'amd64',
  os: 'linux',
  rootfs: { type: 'layers', diff_ids: [] },
  ...extra,
});

describe('isRfc3339 (what Go’s time.Time decodes)', () => {
  it.each([
    '2024-06-01T00:00:00Z',
    '2024-06-01T00:00:00.123456789Z',
    '2024-02-29T23:59:59+05:30',
    '1970-01-01T00:00:00-00:00',
  ])('takes %j', (text) => expect(isRfc3339(text)).toBe(true));

  it.each([
    '2024-06-01 00:00:00',
    '2024-06-01',
    '2024-06-01T00:00:00',
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-06-01T24:00:00Z',
    '2024-06-01T00:00:00+0530',
    '2024-06-01t00:00:00z',
    'yesterday',
    '',
  ])('refuses %j', (text) => expect(isRfc3339(text)).toBe(false));
});

describe('checkConfigTimes', () => {
  it('reports created and each history entry by field, naming the config', () => {
    const problems = checkConfigTimes(
      config({ created: 'now', history: [{ created: '2024-06-01T00:00:00Z' }, { created: '1/6/2024' }, {}] }),
      DIGEST,
    );
    expect(problems.map((problem) => problem.message)).toEqual([
      `config ${DIGEST}: created "now" is not an RFC 3339 time`,
      `config ${DIGEST}: history[1].created "1/6/2024" is not an RFC 3339 time`,
    ]);
    expect(
      problems.every((problem) => problem.code === 'CONFIG_TIME_INVALID' && problem.severity === 'error'),
    ).toBe(true);
  });

  it('takes a config without times', () => {
    expect(checkConfigTimes(config({}), DIGEST)).toEqual([]);
  });
});
