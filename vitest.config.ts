import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = ['digest', 'diff', 'history', 'registry', 'image', 'cli'];
const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run from source: map every package entry point to its TypeScript source.
const alias = packages.flatMap((name) => [
  { find: new RegExp(`^@layerkit/${name}/node$`), replacement: src(`./packages/${name}/src/node/index.ts`) },
  {
    find: new RegExp(`^@layerkit/${name}/internal/node$`),
    replacement: src(`./packages/${name}/src/node/internal.ts`),
  },
  {
    find: new RegExp(`^@layerkit/${name}/internal$`),
    replacement: src(`./packages/${name}/src/internal.ts`),
  },
  { find: new RegExp(`^@layerkit/${name}$`), replacement: src(`./packages/${name}/src/index.ts`) },
]);

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['tests/**/*.test.ts'],
    // A fixed umask for every worker and the processes the tests spawn (see the file).
    globalSetup: ['tests/fixtures/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
