/**
 * The packages as their users get them: every package packed with `pnpm pack` (whose `prepack`
 * builds it, so this works from a fresh clone with no prior build), the tarballs installed into
 * projects outside the repository, and the README examples and the `layerkit` command run there.
 *
 *   - the tarballs: a complete dist (every module's .js and .d.ts, every `exports` target, the
 *     CLI's bundle), no `workspace:` left, exact versions between the packages, LICENSE,
 *     publishConfig, engines, source maps whose sources are in the tarball, and no
 *     import of a package that is not a dependency;
 *   - npm: every package installed from its tarball with `npm install ./x.tgz …`; every export
 *     path imports; every README example (see README.md, "As a library", and readme-examples.ts)
 *     type-checks with the repository's tsc (`module`/`moduleResolution: nodenext`, `strict`,
 *     `exactOptionalPropertyTypes`, `skipLibCheck: false`) against the installed packages and
 *     the `test:run` ones run; the portable cores type-check without @types/node; `npx layerkit`
 *     runs an import / unpack / diff / commit / history round trip;
 *   - pnpm: an application that depends on @layerkit/image (and @layerkit/cli) alone, under
 *     pnpm's strict node_modules: the other packages are not importable, README's library examples
 *     type-check and run, and what such an application cannot name is compared with a known list.
 *
 * The packing and the two installs happen once for the whole file. LAYERKIT_CONSUMER_KEEP=1
 * keeps the temporary directory (its path is printed) for a look after a failure.
 */
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScratchDir, scratchDir } from '../fixtures/scratch.js';
import { type Example, packageOf, readExamples } from './readme-examples.js';

const REPO = realpathSync(fileURLToPath(new URL('../../', import.meta.url)));
const TSC = join(REPO, 'node_modules', '.bin', 'tsc');
const PACKAGE_DIRS = readdirSync(join(REPO, 'packages')).filter((d) =>
  existsSync(join(REPO, 'packages', d, 'package.json')),
);
const READMES = [join(REPO, 'README.md'), ...PACKAGE_DIRS.map((d) => join(REPO, 'packages', d, 'README.md'))];
const TYPES_NODE = '@types/node@20.19.43'; // the repository's own (package.json)

// ---------------------------------------------------------------------------------------------
// Processes

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of every command: the caller's, less anything that points into the repository.
 * The consumer must see only what it installed: vitest's bin shim, for one, sets NODE_PATH to the
 * repository's node_modules/.pnpm/node_modules, where require() finds every package of the
 * workspace (a missing dependency of the CLI went unnoticed through it).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_PATH' || key === 'PATH' || value === undefined || value.includes(REPO)) continue;
    if (/^(npm_package_|npm_lifecycle_|npm_config_user_agent$|npm_execpath$|npm_node_execpath$)/.test(key))
      continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(':')
    .filter((p) => p !== '' && !resolve(p).startsWith(REPO + sep))
    .join(':');
  env.NO_UPDATE_NOTIFIER = '1';
  env.npm_config_update_notifier = 'false';
  return env;
}

function exec(command: string, args: string[], cwd: string, timeout = 120_000): Promise<Result> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      { cwd, env: cleanEnv(), timeout, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        // A process that could not start or was killed says so; one that exited has said enough.
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr: code === -1 ? `${stderr}\n${error?.message}` : stderr });
      },
    );
  });
}

async function ok(command: string, args: string[], cwd: string, timeout?: number): Promise<Result> {
  const result = await exec(command, args, cwd, timeout);
  if (result.code !== 0) {
    throw new Error(
      `${[command, ...args].join(' ')} (in ${cwd}) exited ${result.code}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Packing (once)

/** The fields of a packed package.json that the tests read. */
interface Manifest {
  name: string;
  version: string;
  description?: string;
  keywords?: string[];
  license?: string;
  type?: string;
  sideEffects?: boolean | string[];
  engines?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  bin?: Record<string, string>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  publishConfig?: { access?: string };
}

interface Packed {
  dir: string; // packages/<dir>
  name: string;
  version: string;
  tarball: string;
  /** The tarball extracted: its `package/` directory. */
  root: string;
  manifest: Manifest;
  files: string[]; // relative to root, '/'-separated
}

let scratch: ScratchDir | undefined;
let work = '';
const packed = new Map<string, Packed>(); // by package name
let npmProject: Promise<string>;
let pnpmProject: Promise<string>;

function walk(dir: string, base = dir, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, base, out);
    else out.push(relative(base, path).split(sep).join('/'));
  }
  return out;
}

async function packAll(): Promise<void> {
  const dest = join(work, 'tarballs');
  mkdirSync(dest);
  // Sequential and in dependency order: each prepack runs `tsc -b` on its references.
  await ok(
    'pnpm',
    ['-r', '--filter', './packages/*', '--workspace-concurrency=1', 'pack', '--pack-destination', dest],
    REPO,
    300_000,
  );
  for (const dir of PACKAGE_DIRS) {
    const source = JSON.parse(readFileSync(join(REPO, 'packages', dir, 'package.json'), 'utf8'));
    const tarball = join(dest, `${source.name.replace('@', '').replace('/', '-')}-${source.version}.tgz`);
    if (!existsSync(tarball)) throw new Error(`pnpm pack made no ${tarball}`);
    const extracted = join(work, 'extracted', dir);
    mkdirSync(extracted, { recursive: true });
    await ok('tar', ['-xzf', tarball, '-C', extracted], work);
    const root = join(extracted, 'package');
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    packed.set(source.name, {
      dir,
      name: source.name,
      version: source.version,
      tarball,
      root,
      manifest,
      files: walk(root).sort(),
    });
  }
}

/** `@layerkit/image/node`-style specifiers of every export path of the packed packages. */
function exportPaths(names: Iterable<string> = packed.keys()): string[] {
  const out: string[] = [];
  for (const name of names) {
    const exportsField = packed.get(name)!.manifest.exports as Record<string, unknown>;
    for (const key of Object.keys(exportsField)) {
      if (key === './package.json') continue;
      out.push(key === '.' ? name : `${name}/${key.slice(2)}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Examples

const readmeExamples = READMES.filter((f) => existsSync(f)).map((f) => readExamples(REPO, f));
const EXAMPLES: Example[] = readmeExamples.flatMap((r) => r.examples);
const CHECKED = EXAMPLES.filter((e) => e.mode !== 'skip');
const RUNNABLE = EXAMPLES.filter((e) => e.mode === 'run');
const LIBRARY_SECTION = 'As a library';
const isLibraryExample = (e: Example) => e.readme === 'README.md' && e.headings.includes(LIBRARY_SECTION);
/** What an application depending on @layerkit/image alone can import. */
const IMAGE_ONLY = new Set(['@layerkit/image']);
const imageOnly = (e: Example) => e.imports.every((s) => IMAGE_ONLY.has(packageOf(s)));

const BASE_FILES: Record<string, string> = {
  'etc/hostname': 'webserver\n',
  'etc/nginx/nginx.conf': 'events {}\nhttp { server { listen 80; root /usr/share/nginx/html; } }\n',
  'usr/share/nginx/html/index.html': '<h1>Welcome to nginx!</h1>\n',
};

function exampleFile(project: string, e: Example): string {
  return join(project, 'examples', e.id, `example.${e.language === 'ts' ? 'mts' : 'mjs'}`);
}

/** Writes the examples as modules (`export {}` keeps a block without imports a module). */
function writeExamples(project: string, examples: Example[]): void {
  for (const e of examples) {
    const file = exampleFile(project, e);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${e.code}\nexport {};\n`);
  }
}

/** Prepares an example's directory as README.md describes the fixtures, with the installed CLI. */
async function prepareFixture(project: string, e: Example): Promise<string> {
  const dir = join(project, 'examples', e.id);
  const layerkit = join(project, 'node_modules', '.bin', 'layerkit');
  for (const [path, content] of Object.entries(BASE_FILES)) {
    mkdirSync(dirname(join(dir, 'base', path)), { recursive: true });
    writeFileSync(join(dir, 'base', path), content);
  }
  await ok(
    layerkit,
    ['import', '-q', '-c', 'CMD ["nginx", "-g", "daemon off;"]', './base', 'oci:images:nginx'],
    dir,
  );
  await ok('tar', ['-cf', 'layer.tar', '-C', 'base', '.'], dir);
  if (e.fixture === 'unpacked') {
    await ok(layerkit, ['unpack', '-q', 'oci:images:nginx', './webserver'], dir);
    copyFileSync(join(dir, '.webserver.layerkit', 'snapshot'), join(dir, 'webserver.snapshot'));
    writeFileSync(join(dir, 'webserver/usr/share/nginx/html/index.html'), '<h1>Hello, Docker!</h1>\n');
  }
  return dir;
}

interface Compiled {
  /** tsc's errors, rewritten to README positions where they are in an example. */
  errors: string[];
}

const TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2023',
    lib: ['es2023'],
    strict: true,
    // The stricter setting: what type-checks with it type-checks without it.
    exactOptionalPropertyTypes: true,
    skipLibCheck: false,
    types: ['node'],
    allowJs: true,
    checkJs: true,
    outDir: 'out',
    rootDir: '.',
  },
};

/** Type-checks (and compiles into out/) with the repository's TypeScript. */
async function typecheck(
  project: string,
  config: string,
  include: string[],
  extra: object = {},
): Promise<Compiled> {
  const options = { ...TSCONFIG.compilerOptions, ...extra };
  writeFileSync(join(project, config), JSON.stringify({ compilerOptions: options, include }, null, 2));
  const result = await exec(TSC, ['-p', config, '--pretty', 'false'], project);
  const byFile = new Map(
    EXAMPLES.map((e) => [relative(project, exampleFile(project, e)).split(sep).join('/'), e]),
  );
  const errors = `${result.stdout}${result.stderr}`
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const m = /^(.*?)\((\d+),(\d+)\): (.*)$/.exec(line);
      const e = m ? byFile.get(m[1]!) : undefined;
      return e && m ? `${e.readme}:${e.line + Number(m[2])}:${m[3]}: ${m[4]}` : line;
    });
  if (result.code !== 0 && errors.length === 0) errors.push(`tsc exited ${result.code}`);
  return { errors };
}

function compiledExample(project: string, e: Example): string {
  return join(project, 'out', 'examples', e.id, 'example.mjs');
}

async function runExample(project: string, e: Example): Promise<void> {
  const dir = await prepareFixture(project, e);
  const result = await exec(process.execPath, [compiledExample(project, e)], dir, 60_000);
  if (result.code !== 0) {
    throw new Error(
      `the example at ${e.readme}:${e.line} exited ${result.code} (run in ${dir})\n${result.stdout}\n${result.stderr}`,
    );
  }
}

/**
 * import, unpack, a change, diff, commit, history and verify with the project's installed
 * `layerkit` (not npx: it costs ~0.4 s a call), without --quiet (which also silences warnings;
 * progress goes to stderr only on a terminal). Nothing may be printed on stderr: a warning such as
 * "@napi-rs/xattr failed to load" means the bundle did not find a run-time dependency.
 */
async function cliRoundTrip(project: string): Promise<void> {
  const dir = join(project, 'cli-round-trip');
  for (const [path, content] of Object.entries(BASE_FILES)) {
    mkdirSync(dirname(join(dir, 'base', path)), { recursive: true });
    writeFileSync(join(dir, 'base', path), content);
  }
  const layerkit = async (...args: string[]) => {
    const result = await ok(join(project, 'node_modules', '.bin', 'layerkit'), args, dir);
    expect(result.stderr, `layerkit ${args.join(' ')}`).toBe('');
    return result;
  };
  await layerkit('import', '-c', 'CMD ["nginx", "-g", "daemon off;"]', './base', 'oci:images:nginx');
  await layerkit('unpack', 'oci:images:nginx', './webserver');
  writeFileSync(join(dir, 'webserver/usr/share/nginx/html/index.html'), '<h1>Hello, Docker!</h1>\n');
  const diff = await layerkit('diff', 'oci:images:nginx', './webserver');
  expect(diff.stdout).toContain('C /usr/share/nginx/html/index.html\n');
  const commit = await layerkit(
    'commit',
    '--author',
    'Tao Wang <twang2218@gmail.com>',
    '-m',
    '修改了默认网页',
    'oci:images:nginx',
    './webserver',
    'oci:images:nginx:v2',
  );
  expect(commit.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
  const history = await layerkit('history', '--format', 'json', 'oci:images:nginx:v2');
  const rows = history.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { ID: string; Comment: string });
  expect(rows).toHaveLength(2);
  expect(rows[0]!.Comment).toBe('修改了默认网页');
  expect(commit.stdout).toContain(rows[0]!.ID);
  await layerkit('verify', 'oci:images:nginx:v2');
}

// ---------------------------------------------------------------------------------------------
// Projects

async function newProject(name: string): Promise<string> {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name, private: true, type: 'module' }, null, 2)}\n`,
  );
  return dir;
}

async function installWithNpm(): Promise<string> {
  const dir = await newProject('npm-app');
  const tarballs = [...packed.values()].map((p) => p.tarball);
  await ok(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs, TYPES_NODE],
    dir,
    180_000,
  );
  return dir;
}

async function installWithPnpm(): Promise<string> {
  const dir = await newProject('pnpm-app');
  // The app depends on @layerkit/image and @layerkit/cli alone; the packages they depend on come
  // from their tarballs too (they are not in the registry).
  const overrides = [...packed.values()]
    .filter((p) => p.name !== '@layerkit/image' && p.name !== '@layerkit/cli')
    .map((p) => `  '${p.name}': 'file:${p.tarball}'`);
  // hoist: false — a package sees only its own dependencies too (by default pnpm lets packages,
  // not the app, reach every package of the install through node_modules/.pnpm/node_modules).
  writeFileSync(join(dir, 'pnpm-workspace.yaml'), `hoist: false\noverrides:\n${overrides.join('\n')}\n`);
  await ok(
    'pnpm',
    [
      'add',
      '--reporter=silent',
      packed.get('@layerkit/image')!.tarball,
      packed.get('@layerkit/cli')!.tarball,
      TYPES_NODE,
    ],
    dir,
    180_000,
  );
  return dir;
}

beforeAll(async () => {
  scratch = scratchDir('consumer');
  work = realpathSync(scratch.path);
  if (work.startsWith(REPO + sep))
    throw new Error(`the temporary directory ${work} is inside the repository`);
  if (process.env.LAYERKIT_CONSUMER_KEEP === '1') console.log(`consumer test: ${work}`);
  await packAll();
  npmProject = installWithNpm();
  pnpmProject = installWithPnpm();
  // Awaited by the tests that need them; a failure shows there, not as an unhandled rejection.
  npmProject.catch(() => {});
  pnpmProject.catch(() => {});
  await Promise.allSettled([npmProject, pnpmProject]);
}, 600_000);

afterAll(() => {
  if (process.env.LAYERKIT_CONSUMER_KEEP !== '1') scratch?.remove();
});

// ---------------------------------------------------------------------------------------------

describe('the README examples', () => {
  it('are extracted by their info string; untagged, mis-tagged and unclosed blocks are problems', () => {
    const readmeScratch = scratchDir('readme');
    const dir = readmeScratch.path;
    try {
      const file = join(dir, 'README.md');
      writeFileSync(
        file,
        [
          '# T',
          '| ```` ```ts test:run ```` | a table cell, not a fence |',
          '## As a library',
          '```ts test:run',
          "import { commit } from '@layerkit/image/node';",
          "import type { X } from '@layerkit/diff';",
          "await import('@layerkit/digest');",
          '```',
          '~~~typescript test:typecheck',
          "import { readFileSync } from 'node:fs';",
          '~~~',
          '```sh',
          'layerkit --help',
          '```',
          '```ts',
          'untagged();',
          '```',
          '```js test:run fixture=nope',
          '```',
          '```ts test:run',
          'never closed',
        ].join('\n'),
      );
      const { examples, problems } = readExamples(dir, file);
      expect(examples.map((e) => [e.line, e.mode, e.language, e.headings.at(-1), e.imports])).toEqual([
        [4, 'run', 'ts', 'As a library', ['@layerkit/diff', '@layerkit/digest', '@layerkit/image/node']],
        [9, 'typecheck', 'ts', 'As a library', []],
        [18, 'run', 'js', 'As a library', []],
      ]);
      expect(problems).toEqual([
        expect.stringMatching(/^README\.md:15: a ts block without test:run/),
        expect.stringMatching(/^README\.md:18: unknown word "fixture=nope"/),
        'README.md:20: the code block is never closed',
      ]);
    } finally {
      readmeScratch.remove();
    }
  });

  it('are all tagged (test:run, test:typecheck or test:skip)', () => {
    expect(readmeExamples.flatMap((r) => r.problems)).toEqual([]);
  });

  it(`README's "${LIBRARY_SECTION}" has test:run examples that need @layerkit/image alone`, () => {
    const library = EXAMPLES.filter(isLibraryExample);
    expect(library.length, `no code block under "${LIBRARY_SECTION}" in README.md`).toBeGreaterThan(0);
    for (const e of library) {
      expect(e.mode, `README.md:${e.line}`).toBe('run');
      // An application that depends on @layerkit/image alone (pnpm's strict layout) runs them.
      expect(
        e.imports.filter((s) => !IMAGE_ONLY.has(packageOf(s))),
        `README.md:${e.line}`,
      ).toEqual([]);
    }
  });
});

describe('the packed tarballs', () => {
  it('hold every package', () => {
    expect([...packed.values()].map((p) => p.dir).sort()).toEqual([...PACKAGE_DIRS].sort());
  });

  it('have a publishable manifest: exact versions between the packages, publishConfig, engines, license, repository', () => {
    const versions = new Map([...packed.values()].map((p) => [p.name, p.version]));
    for (const p of packed.values()) {
      const m = p.manifest;
      const text = JSON.stringify(m);
      expect(text, `${p.name}: workspace: protocol left in the packed package.json`).not.toContain(
        'workspace:',
      );
      for (const field of [
        'dependencies',
        'devDependencies',
        'peerDependencies',
        'optionalDependencies',
      ] as const) {
        for (const [dep, range] of Object.entries(m[field] ?? {})) {
          if (versions.has(dep)) expect(range, `${p.name} ${field}.${dep}`).toBe(versions.get(dep));
        }
      }
      expect(m.license, p.name).toBe('Apache-2.0');
      expect(m.publishConfig?.access, p.name).toBe('public');
      expect(m.engines?.node, p.name).toBe('>=20.19');
      expect(m.type, p.name).toBe('module');
      expect(typeof m.description === 'string' && m.description.length > 0, `${p.name} description`).toBe(
        true,
      );
      expect(Array.isArray(m.keywords) && m.keywords.length > 0, `${p.name} keywords`).toBe(true);
      expect(m.sideEffects, p.name).toBeDefined();
      // Nothing runs on a user's machine at install time.
      for (const script of ['preinstall', 'install', 'postinstall', 'prepare', 'prepack'])
        expect(m.scripts?.[script], `${p.name} scripts.${script}`).toBeUndefined();
    }
  });

  it('ship LICENSE (Apache-2.0, the repository root one) and README.md', () => {
    const license = readFileSync(join(REPO, 'LICENSE'), 'utf8');
    expect(license).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    for (const p of packed.values()) {
      expect(p.files, p.name).toContain('LICENSE');
      expect(p.files, p.name).toContain('README.md');
      expect(readFileSync(join(p.root, 'LICENSE'), 'utf8'), `${p.name} LICENSE`).toBe(license);
    }
  });

  it('have typed exports (types first) whose targets are in the tarball, and a bin that is', () => {
    for (const p of packed.values()) {
      const exportsField = p.manifest.exports as Record<string, unknown>;
      expect(exportsField, p.name).toBeTypeOf('object');
      expect(Object.keys(exportsField), p.name).toContain('.');
      for (const [key, target] of Object.entries(exportsField)) {
        if (key === './package.json') continue;
        const conditions = target as Record<string, string>;
        expect(Object.keys(conditions)[0], `${p.name} exports["${key}"]: "types" must come first`).toBe(
          'types',
        );
        expect(Object.keys(conditions).at(-1), `${p.name} exports["${key}"]`).toBe('default');
        for (const file of Object.values(conditions)) {
          expect(p.files, `${p.name} exports["${key}"] → ${file}`).toContain(file.replace(/^\.\//, ''));
        }
      }
      for (const [bin, file] of Object.entries<string>(p.manifest.bin ?? {})) {
        const path = file.replace(/^\.\//, '');
        expect(p.files, `${p.name} bin ${bin}`).toContain(path);
        expect(
          readFileSync(join(p.root, path), 'utf8').startsWith('#!/usr/bin/env node\n'),
          `${bin}: shebang`,
        ).toBe(true);
      }
    }
    expect(packed.get('@layerkit/cli')!.manifest.bin?.layerkit).toBeDefined();
  });

  it('ship a complete dist: a .js and a .d.ts for every module of src, nothing stale', () => {
    for (const p of packed.values()) {
      if (p.name === '@layerkit/cli') continue; // the bundle; checked by running it
      const sources = p.files.filter(
        (f) => f.startsWith('src/') && f.endsWith('.ts') && !f.endsWith('.d.ts'),
      );
      expect(sources.length, `${p.name}: no src in the tarball`).toBeGreaterThan(0);
      const files = new Set(p.files);
      for (const source of sources) {
        const base = `dist/${source.slice(4, -3)}`;
        expect(files.has(`${base}.js`) && files.has(`${base}.d.ts`), `${p.name}: ${base}.js / .d.ts`).toBe(
          true,
        );
      }
      for (const out of p.files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'))) {
        expect(files.has(`src/${out.slice(5, -3)}.ts`), `${p.name}: ${out} has no source (stale?)`).toBe(
          true,
        );
      }
    }
  });

  it('ship the sources their source maps and declaration maps point at', () => {
    for (const p of packed.values()) {
      const files = new Set(p.files);
      for (const map of p.files.filter((f) => f.endsWith('.map'))) {
        const { sources } = JSON.parse(readFileSync(join(p.root, map), 'utf8')) as { sources: string[] };
        for (const source of sources) {
          const path = relative(p.root, resolve(p.root, dirname(map), source))
            .split(sep)
            .join('/');
          expect(files.has(path), `${p.name}: ${map} → ${source}`).toBe(true);
        }
      }
    }
  });

  it('import no package they do not depend on', () => {
    const builtins = new Set(builtinModules);
    const specifiers =
      /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*|\)\(\s*)(['"])((?:@[a-z0-9._-]+\/)?[a-z0-9][^'"\s]*)\1/g;
    for (const p of packed.values()) {
      const declared = new Set([p.name, ...Object.keys(p.manifest.dependencies ?? {})]);
      const used = new Set<string>();
      const shipped =
        p.name === '@layerkit/cli'
          ? ['dist/layerkit.js', 'dist/layerkit-main.js'] // the launcher and the bundle it loads
          : p.files.filter((f) => f.startsWith('dist/'));
      for (const file of shipped.filter((f) => /\.(js|d\.ts)$/.test(f))) {
        for (const m of readFileSync(join(p.root, file), 'utf8').matchAll(specifiers)) {
          const spec = m[2]!;
          if (spec.startsWith('node:') || builtins.has(spec.split('/')[0]!)) continue;
          used.add(packageOf(spec));
        }
      }
      expect(
        [...used].filter((u) => !declared.has(u)).sort(),
        `${p.name} imports undeclared packages`,
      ).toEqual([]);
      if (p.name === '@layerkit/cli')
        expect([...used], 'the bundle loads @napi-rs/xattr at run time').toContain('@napi-rs/xattr');
    }
  });
});

describe('installed from the tarballs with npm', () => {
  let project = '';
  let compiled: Compiled;
  let portable: Compiled;

  beforeAll(async () => {
    project = await npmProject;
    writeExamples(project, CHECKED);
    const specifiers = exportPaths();
    writeFileSync(
      join(project, 'exports.mts'),
      [
        ...specifiers.map((s, i) => `import * as m${i} from '${s}';`),
        `const counts: Record<string, number> = {};`,
        ...specifiers.map((s, i) => `counts['${s}'] = Object.keys(m${i}).length;`),
        'console.log(JSON.stringify(counts));',
        '',
      ].join('\n'),
    );
    // The portable cores (`.`) need no @types/node: only ES2023 and what a browser has (fetch).
    const cores = exportPaths().filter((s) => packed.has(s));
    writeFileSync(
      join(project, 'portable.mts'),
      `${cores.map((s, i) => `import * as c${i} from '${s}';`).join('\n')}\nexport const cores = [${cores.map((_, i) => `c${i}`).join(', ')}];\n`,
    );
    [compiled, portable] = await Promise.all([
      typecheck(project, 'tsconfig.json', ['examples/**/*.mts', 'examples/**/*.mjs', 'exports.mts']),
      typecheck(project, 'tsconfig.portable.json', ['portable.mts'], {
        types: [],
        lib: ['es2023', 'dom'],
        noEmit: true,
      }),
    ]);
  }, 300_000);

  it('resolves every export path at run time', async () => {
    const { stdout } = await ok(process.execPath, [join(project, 'out', 'exports.mjs')], project);
    const counts = JSON.parse(stdout) as Record<string, number>;
    expect(Object.keys(counts).sort()).toEqual(exportPaths().sort());
    for (const [specifier, count] of Object.entries(counts)) {
      if (specifier !== '@layerkit/cli') expect(count, `${specifier} exports nothing`).toBeGreaterThan(0);
    }
  });

  it('type-checks every README example and export path (strict, exact optional properties, nodenext, skipLibCheck: false)', () => {
    expect(CHECKED.length).toBeGreaterThan(0);
    expect(compiled.errors).toEqual([]);
  });

  it('type-checks the portable cores without @types/node', () => {
    expect(portable.errors).toEqual([]);
  });

  it.each(RUNNABLE.map((e) => [`${e.readme}:${e.line}`, e] as const))(
    'runs the example at %s',
    async (_, e) => {
      expect(compiled.errors.filter((line) => line.startsWith(`${e.readme}:`))).toEqual([]);
      await runExample(project, e);
    },
  );

  it('runs the layerkit command: npx layerkit --version, then an import … history round trip', async () => {
    const version = await ok('npx', ['--no', '--', 'layerkit', '--version'], project);
    expect(version.stdout.trim()).toBe(`layerkit ${packed.get('@layerkit/cli')!.version}`);
    await cliRoundTrip(project);
    // npm linked the bin into the installed package.
    expect(realpathSync(join(project, 'node_modules', '.bin', 'layerkit'))).toBe(
      join(project, 'node_modules', '@layerkit', 'cli', 'dist', 'layerkit.js'),
    );
  });
});

/**
 * What an application that depends on @layerkit/image alone needs to name, and which under pnpm it
 * can only import from @layerkit/image(/node): types in its API that another package defines, the
 * error class it throws, the renderers of its results, the reference parsers. The types were found
 * with TypeScript's checker over the public API of @layerkit/image and @layerkit/image/node
 * (`node tools/api-docs/foreign-types.mjs image`, which must report none missing). @layerkit/image
 * re-exports them all, so KNOWN_UNREACHABLE is empty; a name that stops being reachable fails.
 */
const IMAGE_APP_NEEDS = {
  // `node tools/api-docs/foreign-types.mjs image` lists them (and who hands them out).
  types: [
    // diffImage's changes and their entries
    'DockerChange',
    'Change',
    'ChangeKind',
    'TreeEntry',
    'EntryType',
    'EntryStat',
    'ContentReader',
    // unpack's result
    'UnpackResult',
    'UnpackLayout',
    'ApplyReport',
    'SkippedEntry',
    'DroppedXattr',
    'EntryMeta',
    // imageHistory's result
    'HistoryRow',
    'HistoryRows',
    'HistoryMappingValidation',
    'HistoryMappingProblem',
    // the operations' options and results: compression, detection mode, layers, trees
    'CompressionName',
    'DeflateChoice',
    // buildImage's and MemoryOciArchive's runtime
    'DigestRuntime',
    'Codec',
    'CompressOptions',
    'DetectionMode',
    'LayerBlob',
    'Tree',
    'BytePath',
    'MemoryEntrySpec',
    // every operation's errors
    'LayerkitErrorCode',
    // the stores' and parsers' types
    'Digest',
    'BlobRef',
    'ByteSource',
    'BlobWriter',
    'Hasher',
    'HasherFactory',
    // RegistryOptions and its fields; registry references
    'RegistryOptions',
    'RetryOptions',
    'RegistryCredentials',
    'CredentialsProvider',
    'RegistryReference',
    'DockerName',
  ],
  values: [
    'LayerkitError', // every operation's errors: `error instanceof LayerkitError`, `error.code`
    'isLayerkitError',
    'renderHistoryTable', // imageHistory's rows, printed as `docker history`
    'renderHistoryJson',
    'formatDockerDiff', // diffImage's changes, printed as `docker diff`
    'toEngineApiJson',
    'MemoryTree', // a layer source of the build API
    'pathToUtf8', // unpack's skipped entries (byte-string paths), for display
    'pathFromUtf8', // the paths of a `tree` layer's own entries (BytePath is branded)
    'pathFromBytes',
    'parseDockerName', // docker-archive names and registry references
    'parseRegistryReference',
    'withPortableDeflate', // Node's runtime with the portable deflate, for buildImage
  ],
};
const KNOWN_UNREACHABLE: string[] = [];

describe('installed with pnpm by an application that depends on @layerkit/image alone', () => {
  let project = '';
  let compiled: Compiled;
  const examples = CHECKED.filter(imageOnly);

  beforeAll(async () => {
    project = await pnpmProject;
    writeExamples(project, examples);
    compiled = await typecheck(project, 'tsconfig.json', ['examples/**/*.mts', 'examples/**/*.mjs']);
  }, 300_000);

  it('cannot import the packages it does not depend on (the layout is strict)', async () => {
    const probe = `for (const s of ['@layerkit/digest', '@layerkit/diff/node', '@layerkit/history', '@layerkit/registry']) {
      try { await import(s); console.log('importable: ' + s); } catch (e) { if (e.code !== 'ERR_MODULE_NOT_FOUND') throw e; }
    }
    await import('@layerkit/image'); await import('@layerkit/image/node');`;
    const result = await ok(process.execPath, ['--input-type=module', '-e', probe], project);
    expect(result.stdout).toBe('');
  });

  it('runs the installed CLI: pnpm exec layerkit --version, then an import … history round trip', async () => {
    const version = await ok('pnpm', ['exec', 'layerkit', '--version'], project);
    expect(version.stdout.trim()).toBe(`layerkit ${packed.get('@layerkit/cli')!.version}`);
    await cliRoundTrip(project);
  });

  it('type-checks the @layerkit/image examples, README\'s "As a library" among them', () => {
    expect(examples.filter(isLibraryExample).length).toBeGreaterThan(0);
    expect(compiled.errors).toEqual([]);
  });

  it.each(examples.filter((e) => e.mode === 'run').map((e) => [`${e.readme}:${e.line}`, e] as const))(
    'runs the example at %s',
    async (_, e) => {
      await runExample(project, e);
    },
  );

  it('can name from @layerkit/image(/node) everything its API hands out', async () => {
    // One probe file per entry point; a name is unreachable when neither entry exports it.
    for (const entry of ['@layerkit/image', '@layerkit/image/node']) {
      const file = join(project, 'probe', `${entry.replace(/\W+/g, '-')}.mts`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(
        file,
        `import type { ${IMAGE_APP_NEEDS.types.join(', ')} } from '${entry}';\n` +
          `import { ${IMAGE_APP_NEEDS.values.join(', ')} } from '${entry}';\n`,
      );
    }
    const { errors } = await typecheck(project, 'tsconfig.probe.json', ['probe/*.mts'], { noEmit: true });
    const missing = new Map<string, number>();
    for (const line of errors) {
      const m = /error TS(?:2305|2724|2614): .*?(?:has no exported member(?: named)?) '([^']+)'/.exec(line);
      if (!m) throw new Error(`unexpected: ${line}`);
      missing.set(m[1]!, (missing.get(m[1]!) ?? 0) + 1);
    }
    const unreachable = [...missing].filter(([, n]) => n === 2).map(([name]) => name);
    expect(unreachable.sort()).toEqual(KNOWN_UNREACHABLE);
  });
});
