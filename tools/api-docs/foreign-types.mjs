#!/usr/bin/env node
/**
 * Which types of other @layerkit packages a package's public API hands out without exporting them
 * itself: under pnpm's strict node_modules an application that depends on that package alone cannot
 * name them (`import type { Change } from '@layerkit/image'` fails, and @layerkit/diff is not its
 * dependency). tests/consumer checks a list of such names for @layerkit/image; this finds them.
 *
 *   usage: node tools/api-docs/foreign-types.mjs [PACKAGE_DIR]   (default: image; after `tsc -b`)
 *
 * It reads the built declarations (dist/**.d.ts) of the package's `exports` with TypeScript 5.9's
 * checker (TypeScript 7 has no JS API) and walks the types of every export: properties, call and
 * construct signatures, type arguments, unions, to a bounded depth.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkgDir = join(root, 'packages', process.argv[2] ?? 'image');
const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
// The public entry points only: `./internal` is layerkit's own plumbing, with no compatibility promise.
const entries = Object.entries(manifest.exports)
  .filter(([key]) => key !== './package.json' && !key.startsWith('./internal'))
  .map(([key, target]) => [key, join(pkgDir, target.types)]);

const program = ts.createProgram(
  entries.map(([, file]) => file),
  {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
    noEmit: true,
  },
);
const checker = program.getTypeChecker();
const packageOf = (declaration) => {
  const file = declaration.getSourceFile().fileName;
  const match = /packages\/([a-z-]+)\/dist\//.exec(file);
  return match ? `@layerkit/${match[1]}` : undefined;
};

const exported = new Set();
const roots = [];
for (const [key, file] of entries) {
  const source = program.getSourceFile(file);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`cannot read ${file}`);
  for (const symbol of checker.getExportsOfModule(module)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    exported.add(target);
    roots.push([`${key === '.' ? '' : `${key.slice(2)}.`}${symbol.name}`, target]);
  }
}

const NAMED =
  ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class | ts.SymbolFlags.Enum;
const found = new Map(); // "Name (@layerkit/x)" → users
function note(symbol, user) {
  const declaration = symbol?.declarations?.[0];
  if (!declaration || !(symbol.flags & NAMED) || exported.has(symbol)) return;
  const owner = packageOf(declaration);
  if (!owner || owner === manifest.name) return;
  const key = `${symbol.name} (${owner})`;
  if (!found.has(key)) found.set(key, new Set());
  found.get(key).add(user);
}
function visit(type, user, depth, seen) {
  if (!type || depth > 6 || seen.has(type)) return;
  seen.add(type);
  note(type.aliasSymbol, user);
  note(type.getSymbol(), user);
  for (const argument of type.aliasTypeArguments ?? []) visit(argument, user, depth + 1, seen);
  if (type.isUnionOrIntersection()) for (const member of type.types) visit(member, user, depth + 1, seen);
  if (!(type.flags & ts.TypeFlags.Object)) return;
  const symbol = type.getSymbol();
  const declaration = symbol?.declarations?.[0];
  if (declaration && !packageOf(declaration) && !(type.objectFlags & ts.ObjectFlags.Reference)) return; // lib / node types
  if (type.objectFlags & ts.ObjectFlags.Reference)
    for (const argument of checker.getTypeArguments(type)) visit(argument, user, depth + 1, seen);
  if (declaration && !packageOf(declaration)) return;
  for (const property of checker.getPropertiesOfType(type)) {
    const at = property.valueDeclaration ?? property.declarations?.[0];
    if (at && !property.name.startsWith('#'))
      visit(checker.getTypeOfSymbolAtLocation(property, at), user, depth + 1, seen);
  }
  for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
    for (const parameter of signature.getParameters()) {
      const at = parameter.valueDeclaration;
      if (at) visit(checker.getTypeOfSymbolAtLocation(parameter, at), user, depth + 1, seen);
    }
    visit(signature.getReturnType(), user, depth + 1, seen);
  }
}
for (const [name, symbol] of roots) {
  const at = symbol.valueDeclaration ?? symbol.declarations?.[0];
  if (!at) continue;
  if (symbol.flags & NAMED) visit(checker.getDeclaredTypeOfSymbol(symbol), name, 0, new Set());
  if (symbol.flags & ts.SymbolFlags.Value)
    visit(checker.getTypeOfSymbolAtLocation(symbol, at), name, 0, new Set());
}

if (found.size === 0) console.log(`${manifest.name} exports every @layerkit type its API hands out`);
for (const [key, users] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
  const list = [...users];
  console.log(`${key}  ← ${list.slice(0, 4).join(', ')}${list.length > 4 ? ` (+${list.length - 4})` : ''}`);
}
process.exitCode = found.size === 0 ? 0 : 1;
