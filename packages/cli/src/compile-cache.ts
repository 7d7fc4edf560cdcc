/**
 * Node's on-disk compile cache for the CLI's own code (`module.enableCompileCache`, Node ≥ 22.1):
 * V8 keeps the compiled bundle between runs, so a command stops paying to compile it each time.
 * Detected by feature, not by version; a no-op on Node 20.
 */
import nodeModule from 'node:module';

/** The part of node:module this needs, absent from Node 20 (and from its type definitions). */
interface CompileCacheApi {
  enableCompileCache?: (cacheDir?: string) => unknown;
}

/**
 * Turns Node's compile cache on for the modules loaded after this call, in Node's default
 * directory: `$NODE_COMPILE_CACHE` when set, else `node-compile-cache` in the OS temp dir (never
 * the install directory). `NODE_DISABLE_COMPILE_CACHE=1` turns it off. A cache that cannot be
 * created or written (read-only or missing temp dir) is skipped: the command runs uncached,
 * with no message, as the cache only ever saves time.
 */
export function enableCompileCache(): void {
  const enable = (nodeModule as CompileCacheApi).enableCompileCache;
  if (typeof enable !== 'function') return;
  try {
    // Node reports a directory it cannot use in the returned status; it does not throw.
    enable();
  } catch {
    // Never worth failing a command for.
  }
}
