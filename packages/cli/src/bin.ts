#!/usr/bin/env node
/**
 * The `layerkit` executable: a launcher small enough to compile in no time, that turns on Node's
 * compile cache (compile-cache.ts) and only then loads the CLI, so the CLI is the cached part.
 * Bundled, the CLI is dist/layerkit-main.js beside it (scripts/bundle-cli.mjs).
 */
import { enableCompileCache } from './compile-cache.js';

enableCompileCache();
await import('./process-entry.js');
