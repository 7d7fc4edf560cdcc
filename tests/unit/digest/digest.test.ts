import {
  digestAlgorithm,
  digestHex,
  EMPTY_TAR_DIFF_ID,
  isDigest,
  isLayerkitError,
  LayerkitError,
  parseDigest,
} from '@layerkit/digest';
import { describe, expect, it } from 'vitest';
import { referenceSha256 } from '../../fixtures/digest-helpers.js';

const HEX64 = 'a'.repeat(64);

function parseError(input: string): LayerkitError {
  try {
    parseDigest(input);
  } catch (error) {
    if (error instanceof LayerkitError) return error;
    throw error;
  }
  throw new Error(`parseDigest accepted ${input}`);
}

describe('parseDigest', () => {
  it.each([
    `sha256:${HEX64}`,
    `sha512:${'0'.repeat(128)}`,
    `blake3:${'f'.repeat(64)}`,
    'multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8',
    'sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564',
    'a.b_c-d:x=',
  ])('accepts %s', (input) => {
    expect(parseDigest(input)).toBe(input);
    expect(isDigest(input)).toBe(true);
  });

  it.each([
    ['path traversal', 'sha256:../../../../etc/passwd'],
    ['traversal in the algorithm', '../x:abc'],
    ['a slash', `sha256/${HEX64}`],
    ['uppercase hex', `sha256:${'A'.repeat(64)}`],
    ['short sha256', `sha256:${'a'.repeat(63)}`],
    ['long sha256', `sha256:${'a'.repeat(65)}`],
    ['non-hex sha256', `sha256:${'g'.repeat(64)}`],
    ['short sha512', `sha512:${HEX64}`],
    ['uppercase blake3', `blake3:${'F'.repeat(64)}`],
    ['empty algorithm', `:${HEX64}`],
    ['empty encoded', 'sha256:'],
    ['no colon', HEX64],
    ['uppercase algorithm', `SHA256:${HEX64}`],
    ['leading separator', `+sha256:${HEX64}`],
    ['double separator', `sha..256:${HEX64}`],
    ['trailing newline', `sha256:${HEX64}\n`],
    ['a dot in encoded', 'foo:a.b'],
    ['empty string', ''],
  ])('rejects %s', (_label, input) => {
    const error = parseError(input);
    expect(error.code).toBe('INVALID_DIGEST');
    expect(error.message).toContain(JSON.stringify(input));
    expect(isDigest(input)).toBe(false);
  });

  it('truncates long inputs in the message', () => {
    const input = `sha256:${'x'.repeat(100_000)}`;
    const error = parseError(input);
    expect(error.message.length).toBeLessThan(250);
    expect(error.message).toContain('sha256:xxx');
    expect(error.message).toContain('…');
  });

  it('rejects non-strings from untyped callers', () => {
    expect(
      isLayerkitError(
        captureThrow(() => parseDigest(42 as unknown as string)),
        'INVALID_DIGEST',
      ),
    ).toBe(true);
    expect(isDigest(undefined)).toBe(false);
  });
});

function captureThrow(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('digest parts', () => {
  it('splits algorithm and encoded part', () => {
    const digest = parseDigest(`sha256+b64u:${'x'.repeat(10)}`);
    expect(digestAlgorithm(digest)).toBe('sha256+b64u');
    expect(digestHex(digest)).toBe('x'.repeat(10));
  });

  it('EMPTY_TAR_DIFF_ID is the sha256 of 1024 zero bytes', () => {
    expect(EMPTY_TAR_DIFF_ID).toBe(referenceSha256(new Uint8Array(1024)));
    expect(isDigest(EMPTY_TAR_DIFF_ID)).toBe(true);
  });
});
