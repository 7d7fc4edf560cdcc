import { isLayerkitError, type LayerkitError } from '@layerkit/digest';
import { expect } from 'vitest';

/** Runs `fn` and returns the LayerkitError it throws; fails the test if it throws nothing or something else. */
export function errorOf(fn: () => unknown): LayerkitError {
  try {
    fn();
  } catch (error) {
    if (isLayerkitError(error)) return error;
    throw error;
  }
  return expect.fail('expected a LayerkitError');
}
