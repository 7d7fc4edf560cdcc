/**
 * The code examples of the READMEs, as tests/consumer runs them (the convention is described in
 * README.md, "As a library"). A fenced block in TypeScript or JavaScript says in its info string
 * what is done with it:
 *
 *   ```ts test:run                 type-checked and run (fixture `unpacked`)
 *   ```ts test:run fixture=layout  type-checked and run in the `layout` fixture
 *   ```ts test:typecheck           type-checked only
 *   ```ts test:skip                not code (e.g. a list of signatures)
 *
 * A TypeScript or JavaScript block without a `test:` word, or with a word this file does not
 * know, is a problem: the test fails, so an example cannot silently drop out of the test.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** Languages whose blocks must be tagged. */
const CODE_LANGUAGES = new Set(['ts', 'typescript', 'mts', 'js', 'javascript', 'mjs']);
const JS_LANGUAGES = new Set(['js', 'javascript', 'mjs']);

export type ExampleMode = 'run' | 'typecheck' | 'skip';
/** `unpacked`: images/ + ./base + layer.tar + ./webserver (+ its snapshot); `layout`: without ./webserver. */
export type ExampleFixture = 'unpacked' | 'layout';

export interface Example {
  /** The README, relative to the repository root. */
  readme: string;
  /** The 1-based line of the opening fence. */
  line: number;
  /** The headings above the block, outermost first (`['layerkit', 'As a library']`). */
  headings: string[];
  /** `ts` or `js` (the file written is .mts or .mjs). */
  language: 'ts' | 'js';
  mode: ExampleMode;
  fixture: ExampleFixture;
  code: string;
  /** The bare module specifiers the code imports (`@layerkit/image/node`; `node:` ones left out). */
  imports: string[];
  /** A name for files and test titles: `packages-image-README.md-L9`. */
  id: string;
}

export interface ReadmeExamples {
  examples: Example[];
  /** Untagged or mis-tagged blocks, unterminated fences: `README.md:100: …`. */
  problems: string[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** The examples of one Markdown file. */
export function readExamples(root: string, file: string): ReadmeExamples {
  const readme = relative(root, file);
  const lines = readFileSync(file, 'utf8').split('\n');
  const examples: Example[] = [];
  const problems: string[] = [];
  const headings: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = HEADING.exec(line);
    if (heading) {
      const level = heading[1]!.length;
      headings.length = Math.min(headings.length, level - 1);
      while (headings.length < level - 1) headings.push('');
      headings.push(heading[2]!);
      continue;
    }
    const fence = FENCE.exec(line);
    if (!fence) continue;
    const marker = fence[1]!;
    const info = fence[2]!.trim();
    if (marker.startsWith('`') && info.includes('`')) continue; // inline code, not a fence
    const start = i;
    const body: string[] = [];
    let closed = false;
    for (i++; i < lines.length; i++) {
      const close = FENCE.exec(lines[i]!);
      if (
        close &&
        close[1]![0] === marker[0] &&
        close[1]!.length >= marker.length &&
        close[2]!.trim() === ''
      ) {
        closed = true;
        break;
      }
      body.push(lines[i]!);
    }
    const where = `${readme}:${start + 1}`;
    if (!closed) {
      problems.push(`${where}: the code block is never closed`);
      break;
    }
    const [language = '', ...words] = info.split(/\s+/);
    if (!CODE_LANGUAGES.has(language.toLowerCase())) {
      if (words.some((w) => w.startsWith('test:')))
        problems.push(`${where}: test: tag on a ${language || 'plain'} block`);
      continue;
    }
    let mode: ExampleMode | undefined;
    let fixture: ExampleFixture = 'unpacked';
    for (const word of words) {
      if (word === 'test:run' || word === 'test:typecheck' || word === 'test:skip') {
        if (mode) problems.push(`${where}: two test: words`);
        mode = word.slice(5) as ExampleMode;
      } else if (word === 'fixture=layout' || word === 'fixture=unpacked') {
        fixture = word.slice(8) as ExampleFixture;
      } else {
        problems.push(`${where}: unknown word "${word}" in the info string "${info}"`);
      }
    }
    if (!mode) {
      problems.push(
        `${where}: a ${language} block without test:run, test:typecheck or test:skip in its info string (see README.md, "As a library")`,
      );
      continue;
    }
    if (fixture !== 'unpacked' && mode !== 'run') problems.push(`${where}: fixture= is only for test:run`);
    const code = `${body.join('\n')}\n`;
    const imports = new Set<string>();
    for (const match of code.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3]!;
      if (!specifier.startsWith('node:') && !specifier.startsWith('.')) imports.add(specifier);
    }
    examples.push({
      readme,
      line: start + 1,
      headings: headings.filter((h) => h !== ''),
      language: JS_LANGUAGES.has(language.toLowerCase()) ? 'js' : 'ts',
      mode,
      fixture,
      code,
      imports: [...imports].sort(),
      id: `${readme.replace(/[/\\]/g, '-')}-L${start + 1}`,
    });
  }
  return { examples, problems };
}

/** The package a module specifier names: `@layerkit/image/node` → `@layerkit/image`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}
