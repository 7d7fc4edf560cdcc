/**
 * @napi-rs/xattr, loaded on first use: loading the native addon costs ~15 ms of a command's
 * start-up, and most commands (a commit whose snapshot shows no change) never touch an xattr.
 */
import { createRequire } from 'node:module';

/** The addon's module (its functions take UTF-8 path and name strings). */
export type XattrAddon = typeof import('@napi-rs/xattr');

let loaded: XattrAddon | Error | undefined;

/** The addon, or the error loading it raised (tried once per process). */
export function loadXattrAddon(): XattrAddon | Error {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('@napi-rs/xattr') as XattrAddon;
    } catch (error) {
      loaded = error instanceof Error ? error : new Error(String(error));
    }
  }
  return loaded;
}
