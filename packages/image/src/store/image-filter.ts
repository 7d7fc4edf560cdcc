/**
 * The name filter of `layerkit images LOCATION [REPOSITORY[:TAG]]`, as `docker image ls` applies
 * its reference filter (distribution/reference `FamiliarMatch`): Go's `path.Match` of the pattern
 * against `repository:tag`, or else against the repository alone. `*` and `?` match within one
 * path component (never `/`), `[…]` a character class (`[^…]` negated), `\` escapes. Untagged
 * images never match.
 */
import { NONE } from '@layerkit/history';
import type { ListedName } from './listed-name.js';

/** Go's `path.Match` pattern as an anchored regular expression; a malformed class matches literally. */
function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) source += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        const negated = body.startsWith('^');
        if (negated) body = body.slice(1);
        const escaped = body.replace(/[\\\]^]/g, (c) => `\\${c}`);
        source += negated ? `(?!/)[^${escaped}]` : `[${escaped}]`;
        i = end;
      }
    } else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, 'u');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, (c) => `\\${c}`);
}

/** A predicate for names matching `pattern` (`nginx`, `nginx:v2`, `ngi*`, `*:v?`). */
export function imageNameFilter(pattern: string): (name: ListedName) => boolean {
  const expression = globToRegExp(pattern);
  return (name) =>
    name.repository !== NONE &&
    (expression.test(`${name.repository}:${name.tag}`) || expression.test(name.repository));
}
