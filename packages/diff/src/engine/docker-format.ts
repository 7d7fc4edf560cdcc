/**
 * `docker diff` output forms: a change as people read it (an absolute UTF-8 path), the CLI's
 * `C /path` lines and the Engine API's `{Path, Kind}` JSON.
 */
import type { Change, ChangeKind } from '../contracts.js';
import { pathToBytes, pathToUtf8 } from '../path.js';

/** One change as the Engine API reports it (`GET /containers/{id}/changes`): Kind C=0, A=1, D=2. */
export interface EngineApiChange {
  /** The absolute path, decoded as UTF-8. */
  Path: string;
  /** 0 changed, 1 added, 2 deleted. */
  Kind: 0 | 1 | 2;
}

const KIND_NUMBERS = { C: 0, A: 1, D: 2 } as const;

/** One change as `docker diff` reports it. */
export interface DockerChange {
  /** `A` added, `C` changed, `D` deleted. */
  kind: ChangeKind;
  /** The path as `docker diff` prints it: absolute, decoded as UTF-8 (invalid bytes as U+FFFD). */
  path: string;
  /** The exact bytes of the name, relative to the root, for names that are not UTF-8. */
  rawPath: Uint8Array;
}

/** A change of the diff engine (byte-string path) as `docker diff` reports it. */
export function dockerChange(change: Pick<Change, 'kind' | 'path'>): DockerChange {
  return { kind: change.kind, path: `/${pathToUtf8(change.path)}`, rawPath: pathToBytes(change.path) };
}

/** Formats one change as `docker diff` prints it: `C /usr/share`. */
export function formatChangeLine(change: DockerChange): string {
  return `${change.kind} ${change.path}`;
}

/** Formats changes as `docker diff` prints them: one `K /path` line each, newline-terminated. */
export function formatDockerDiff(changes: Iterable<DockerChange>): string {
  let out = '';
  for (const change of changes) out += `${formatChangeLine(change)}\n`;
  return out;
}

/** Converts changes to the Engine API form; `JSON.stringify` gives `[{"Path":"/x","Kind":0}]`. */
export function toEngineApiJson(changes: Iterable<DockerChange>): EngineApiChange[] {
  return Array.from(changes, (change) => ({ Path: change.path, Kind: KIND_NUMBERS[change.kind] }));
}
