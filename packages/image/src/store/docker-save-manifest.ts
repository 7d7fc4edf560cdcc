/**
 * `docker save` / `docker load` bookkeeping files: `manifest.json` (one item per image:
 * config path, `RepoTags`, layer paths in order) and the legacy `repositories`
 * (`{name: {tag: <hex of the top layer>}}`), as moby's `tarexport` reads and writes them.
 */
import { LayerkitError } from '@layerkit/digest';
import { canonicalJson } from '../json/canonical.js';
import type { JsonValue } from '../json/json-value.js';
import { parseJsonStrict } from '../json/strict-parse.js';

/** One image in `manifest.json`. Paths are archive-relative and untrusted on read
 * (R12, docs/threat-model.md#r12).
 */
export interface DockerSaveItem {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

/** Largest `manifest.json` read (many images × many layers still fit easily). */
export const DOCKER_MANIFEST_MAX_BYTES = 4 * 1024 * 1024;

/** Parses `manifest.json` strictly (duplicate keys, size cap, shape). Unknown fields are ignored. */
export function parseDockerSaveManifest(bytes: Uint8Array): DockerSaveItem[] {
  const what = 'manifest.json';
  const value = parseJsonStrict(bytes, { maxBytes: DOCKER_MANIFEST_MAX_BYTES, what });
  if (!Array.isArray(value)) throw invalid('is not an array');
  return value.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      throw invalid(`item ${i} is not an object`);
    const config = item.Config;
    if (typeof config !== 'string') throw invalid(`item ${i} has no Config path`);
    return {
      Config: config,
      RepoTags: stringList(item.RepoTags, `item ${i} RepoTags`, true),
      Layers: stringList(item.Layers, `item ${i} Layers`, false),
    };
  });
}

/** Serializes `manifest.json` (compact, keys in Docker's order as canonical JSON sorts them). */
export function serializeDockerSaveManifest(items: readonly DockerSaveItem[]): Uint8Array {
  return canonicalJson(
    items.map((item) => ({ Config: item.Config, RepoTags: item.RepoTags, Layers: item.Layers })),
  );
}

/**
 * Builds `repositories`: for each `name:tag` reference, `name → tag → top layer hex`.
 * Images without layers or references are left out (Docker has nothing to point at).
 */
export function serializeRepositories(
  entries: readonly { reference: { name: string; tag: string }; topLayerHex: string }[],
): Uint8Array | undefined {
  const repositories: Record<string, Record<string, string>> = {};
  for (const { reference, topLayerHex } of entries) {
    repositories[reference.name] ??= {};
    repositories[reference.name]![reference.tag] = topLayerHex;
  }
  return Object.keys(repositories).length === 0 ? undefined : canonicalJson(repositories);
}

function stringList(value: JsonValue | undefined, what: string, nullable: boolean): string[] {
  if (nullable && (value === null || value === undefined)) return [];
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) {
    throw invalid(`${what} is not a list of strings`);
  }
  return value as string[];
}

function invalid(problem: string): LayerkitError {
  return new LayerkitError('INVALID_DOCKER_MANIFEST', `manifest.json ${problem}`, { what: 'manifest.json' });
}
