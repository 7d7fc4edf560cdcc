/**
 * `docker diff` output forms: the CLI's `C /path` lines and the Engine API's `{Path, Kind}` JSON.
 */
import type { Change } from '../contracts.js';
import { pathToUtf8 } from '../path.js';

/** One change as the Engine API reports it (`GET /containers/{id}/changes`): Kind C=0, A=1, D=2. */
export interface EngineApiChange {
  Path: string;
  Kind: 0 | 1 | 2;
}

const KIND_NUMBERS = { C: 0, A: 1, D: 2 } as const;

/** The absolute display path of a change (UTF-8 decoded; invalid bytes shown as U+FFFD). */
function displayPath(change: Change): string {
  return `/${pathToUtf8(change.path)}`;
}

/** Formats one change as `docker diff` prints it: `C /usr/share`. */
export function formatChangeLine(change: Change): string {
  return `${change.kind} ${displayPath(change)}`;
}

/** Formats changes as `docker diff` prints them: one `K /path` line each, newline-terminated. */
export function formatDockerDiff(changes: Iterable<Change>): string {
  let out = '';
  for (const change of changes) out += `${formatChangeLine(change)}\n`;
  return out;
}

/** Converts changes to the Engine API form; `JSON.stringify` gives `[{"Path":"/x","Kind":0}]`. */
export function toEngineApiJson(changes: Iterable<Change>): EngineApiChange[] {
  return Array.from(changes, (change) => ({ Path: displayPath(change), Kind: KIND_NUMBERS[change.kind] }));
}
