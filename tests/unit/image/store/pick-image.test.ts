/**
 * pickImage, the one image picker of OCI layouts and docker-archives: by tag (first match, or the
 * store's own comparison), by position, or the only image; every failure lists the tags there are.
 */
import { isLayerkitError } from '@layerkit/digest';
import { describe, expect, it } from 'vitest';
import { pickImage } from '../../../../packages/image/src/store/pick-image.js';

interface Item {
  id: string;
  tags: string[];
}

function storeOf(...images: Item[]) {
  return { location: '/tmp/store', images, tagsOf: (image: Item) => image.tags };
}

function errorOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (isLayerkitError(error)) return error;
  }
  throw new Error('expected a LayerkitError');
}

const A = { id: 'a', tags: ['app:1', 'app:latest'] };
const B = { id: 'b', tags: ['app:1', 'db:2'] };
const C = { id: 'c', tags: [] };

describe('pickImage', () => {
  it('by tag: the first image carrying it', () => {
    expect(pickImage(storeOf(A, B), { tag: 'app:1' }).id).toBe('a');
    expect(pickImage(storeOf(A, B), { tag: 'db:2' }).id).toBe('b');
  });

  it("by tag with the store's own comparison", () => {
    const matches = (tag: string) => tag.startsWith('db:');
    expect(pickImage(storeOf(A, B), { tag: 'db', matches }).id).toBe('b');
  });

  it('by position, untagged images included', () => {
    expect(pickImage(storeOf(A, C), { index: 1 }).id).toBe('c');
  });

  it('nothing wanted: the only image', () => {
    expect(pickImage(storeOf(C), undefined).id).toBe('c');
  });

  it('failures name the store and list its tags', () => {
    const missing = errorOf(() => pickImage(storeOf(A, B), { tag: 'web:3' }));
    expect(missing).toMatchObject({
      code: 'TAG_NOT_FOUND',
      details: { location: '/tmp/store', tag: 'web:3', tags: ['app:1', 'app:latest', 'db:2'] },
    });
    expect(missing.message).toBe('no image tagged "web:3" in /tmp/store (tags: app:1, app:latest, db:2)');

    const several = errorOf(() => pickImage(storeOf(A, C), undefined));
    expect(several.code).toBe('TAG_REQUIRED');
    expect(several.message).toBe('/tmp/store holds 2 images; name one (tags: app:1, app:latest)');

    const past = errorOf(() => pickImage(storeOf(C), { index: 1 }));
    expect(past.code).toBe('IMAGE_NOT_FOUND');
    expect(past.message).toBe('/tmp/store has no image @1: it holds 1 (tags: none)');

    expect(errorOf(() => pickImage(storeOf(), undefined)).code).toBe('IMAGE_NOT_FOUND');
  });
});
