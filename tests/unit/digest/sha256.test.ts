import {
  createPortableSha256,
  EMPTY_TAR_DIFF_ID,
  type HasherFactory,
  isLayerkitError,
  sha256Bytes,
} from '@layerkit/digest';
import { createNativeSha256 } from '@layerkit/digest/node';
import { describe, expect, it } from 'vitest';
import { mixedBytes, referenceSha256 } from '../../fixtures/digest-helpers.js';

const text = (s: string) => new TextEncoder().encode(s);

describe.each<[string, HasherFactory]>([
  ['portable', createPortableSha256],
  ['native', createNativeSha256],
])('%s sha256', (_name, factory) => {
  it('matches the known vectors', () => {
    expect(sha256Bytes(new Uint8Array(0), factory)).toBe(
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(sha256Bytes(text('{}'), factory)).toBe(
      'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    );
    expect(sha256Bytes(new Uint8Array(1024), factory)).toBe(EMPTY_TAR_DIFF_ID);
    expect(sha256Bytes(text('abc'), factory)).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('hashes a streamed input like node:crypto hashes it whole', () => {
    const data = mixedBytes(3_000_000, 7);
    const hasher = factory();
    for (let offset = 0; offset < data.length; offset += 70_001)
      hasher.update(data.subarray(offset, offset + 70_001));
    expect(hasher.digest()).toBe(referenceSha256(data));
  });

  it('refuses update after digest and a second digest', () => {
    const hasher = factory().update(text('x'));
    hasher.digest();
    expect(() => hasher.update(text('y'))).toThrow(/after digest/);
    expect(() => hasher.digest()).toThrow(/twice/);
    try {
      hasher.digest();
    } catch (error) {
      expect(isLayerkitError(error, 'HASHER_FINISHED')).toBe(true);
    }
  });
});

it('sha256Bytes defaults to the portable hasher and agrees with native', () => {
  const data = mixedBytes(100_000, 3);
  expect(sha256Bytes(data)).toBe(sha256Bytes(data, createNativeSha256));
});
