#!/usr/bin/env node
/**
 * `pnpm docs:api`: the API reference of every package's public entry points (their `exports`:
 * the portable core and `./node`; `./internal`, layerkit's own plumbing with no compatibility
 * promise, is left out), generated from the TSDoc comments with TypeDoc into docs/api/
 * as Markdown (typedoc-plugin-markdown). Configuration: typedoc.json beside this file.
 *
 * Validation is strict: every exported symbol, every property (so every option field), method and
 * accessor must have a comment (TypeDoc's `validation.notDocumented`), links must resolve, and no
 * type used by the API may be missing from it (`notExported`). Unlike TypeDoc's own
 * `--treatWarningsAsErrors`, which stops before writing anything, this writes the docs and then
 * exits 1 when anything was reported, with a summary of what lacks documentation per package.
 *
 * Why a tool package of its own: TypeDoc drives TypeScript's JS compiler API, which TypeScript 7
 * (the repository's compiler) does not have; tools/api-docs/package.json brings TypeDoc with a
 * TypeScript 5.9. It reads the sources through each package's tsconfig.json and resolves the
 * other workspace packages through their built declarations, so `tsc -b` runs first (the
 * `docs:api` script does). Type errors are not TypeDoc's business here (`skipErrorChecking`:
 * tsc 7 is the judge).
 *
 *   usage: node tools/api-docs/generate.mjs [TypeDoc options…]   (e.g. --out .tmp/api)
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Application,
  ArgumentsReader,
  Comment,
  Converter,
  LiteralType,
  LogLevel,
  PackageJsonReader,
  ReflectionKind,
  ReflectionType,
  TSConfigReader,
  TypeDocReader,
} from 'typedoc';

const here = dirname(fileURLToPath(import.meta.url));
// The readers of TypeDoc's own CLI: in `packages` mode they read each package's tsconfig.json and
// package.json too (without them TypeDoc cannot map `exports` back to the sources).
const app = await Application.bootstrapWithPlugins({ options: join(here, 'typedoc.json') }, [
  new ArgumentsReader(0),
  new TypeDocReader(),
  new PackageJsonReader(),
  new TSConfigReader(),
  new ArgumentsReader(300),
]);

// Source positions stay plain `path:line` text, as without a git remote: the reference is a
// local, offline copy, and links into a forge at the current commit would make its text depend
// on the clone (TypeDoc also warns, failing this run, when the clone has no `origin` remote).
app.initializeRepositories = async () => {};

const warnings = [];
const log = app.logger.log.bind(app.logger);
app.logger.log = (message, level) => {
  if (level >= LogLevel.Warn) warnings.push(String(message).replace(/\u001b\[[0-9;]*m/g, ''));
  return log(message, level);
};

// Constant tables whose string values are their members' documentation (each error code's
// meaning): a member without a comment of its own is described by its value, not by a copy of it.
const DESCRIBED_BY_VALUES = new Set(['ERROR_CODES']);

// TypeDoc documents every `exports` entry; `./internal` (layerkit's own plumbing, no compatibility
// promise) is not public API: drop it from each package before that package is validated.
app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
  for (const entry of [...(context.project.children ?? [])]) {
    if (
      entry.kindOf(ReflectionKind.Module) &&
      (entry.name === 'internal' || entry.name.startsWith('internal/'))
    )
      context.project.removeReflection(entry);
  }
  for (const table of context.project.getReflectionsByKind(ReflectionKind.Variable)) {
    if (!DESCRIBED_BY_VALUES.has(table.name) || !(table.type instanceof ReflectionType)) continue;
    for (const member of table.type.declaration.children ?? []) {
      if (member.hasComment() || !(member.type instanceof LiteralType)) continue;
      if (typeof member.type.value !== 'string') continue;
      const text = `${member.type.value.charAt(0).toUpperCase()}${member.type.value.slice(1)}.`;
      member.comment = new Comment([{ kind: 'text', text }]);
      member.defaultValue = undefined; // the literal type shows the value already
    }
  }
});

const project = await app.convert();
if (!project) {
  console.error('api-docs: TypeDoc could not convert the packages');
  process.exit(1);
}
app.validate(project);
await app.generateOutputs(project);

const undocumented = new Map();
let other = 0;
for (const warning of warnings) {
  const match =
    /does not have any documentation/.test(warning) && /defined in (@layerkit\/[a-z-]+)\//.exec(warning);
  if (match) undocumented.set(match[1], (undocumented.get(match[1]) ?? 0) + 1);
  else if (!/^\[warning\] Found \d+ errors and \d+ warnings$/.test(warning.trim())) other++;
}
const total = [...undocumented.values()].reduce((a, b) => a + b, 0);
if (total + other > 0 || app.logger.hasErrors()) {
  console.error(
    `api-docs: ${total} exported declaration(s) without TSDoc` +
      (total ? ` (${[...undocumented].map(([name, n]) => `${name} ${n}`).join(', ')})` : '') +
      (other ? `, ${other} other warning(s) or error(s)` : '') +
      `; the reference is in ${app.options.getValue('out')} all the same`,
  );
  process.exit(1);
}
console.log(
  `api-docs: every exported declaration is documented; the reference is in ${app.options.getValue('out')}`,
);
