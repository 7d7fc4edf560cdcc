/**
 * Tar entry names → tree paths (docs/design.md#compat-names): the one place untrusted names are cleaned.
 */
import type { BytePath } from '../contracts.js';

// Names that can be returned unchanged: no leading `/` or `.`, no `//`, no `/.`, no trailing `/`.
const NEEDS_CLEANING = /^[/.]|\/\/|\/\.|\/$/;

/**
 * Normalizes a raw tar entry name to a tree path: strips every leading `/`, then resolves `.`,
 * `..` and empty components lexically (POSIX `normalize`) and drops the trailing `/`.
 *
 * Returns `''` for names that denote the root (`./`, `/`, `a/..`): callers skip those entries
 * rather than apply them to the root (T4, docs/threat-model.md#t4). Returns `null` when a `..`
 * climbs above the root (`../x`, `a/../../x`): such names are hostile (T1) and callers must reject
 * them, naming the raw entry. Backslashes and other bytes are ordinary name bytes on Linux and are kept.
 */
export function normalizeEntryName(name: BytePath): BytePath | null {
  if (!NEEDS_CLEANING.test(name)) return name;
  const parts: BytePath[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) return null;
  }
  return parts.join('/');
}
