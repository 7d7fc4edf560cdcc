/**
 * The bookkeeping of a docker-archive as `docker load` reads it (moby's `tarexport`): every
 * `RepoTags` entry must parse as a Docker reference with a tag (`ParseNormalizedNamed`, then
 * `NamedTagged`: lowercase repository, tag `[\w][\w.-]{0,127}`, no digest) or the load fails.
 * The legacy `repositories` file is read only when `manifest.json` is absent, so a disagreement
 * is a warning.
 */
import { isLayerkitError } from '@layerkit/digest';
import { parseRegistryReference } from '@layerkit/registry';
import type { JsonValue } from '../json/json-value.js';
import { parseJsonStrict } from '../json/strict-parse.js';
import type { DockerSaveItem } from '../store/docker-save-manifest.js';
import { finding, type VerifyProblem } from './finding.js';

/** Why Docker refuses `repoTag` as a `RepoTags` entry, or `undefined` when it takes it. */
export function repoTagProblem(repoTag: string): string | undefined {
  try {
    const reference = parseRegistryReference(repoTag);
    if (reference.digest !== undefined) return 'names a digest';
  } catch (error) {
    if (!isLayerkitError(error)) throw error;
    return error.message;
  }
  const name = repoTag.slice(repoTag.lastIndexOf('/') + 1);
  return name.includes(':') ? undefined : 'has no tag';
}

/** `REPO_TAG_INVALID` (error) for every `RepoTags` entry of `items` that `docker load` refuses. */
export function checkRepoTags(items: readonly DockerSaveItem[]): VerifyProblem[] {
  return items.flatMap((item, i) =>
    item.RepoTags.flatMap((repoTag) => {
      const problem = repoTagProblem(repoTag);
      return problem === undefined
        ? []
        : [
            finding(
              'REPO_TAG_INVALID',
              'error',
              `manifest.json item ${i} RepoTags ${JSON.stringify(repoTag.slice(0, 200))}: ${problem}`,
              ['docker load'],
            ),
          ];
    }),
  );
}

/**
 * `REPOSITORIES_INCONSISTENT` (warning) when the legacy `repositories` file (`bytes`) is not
 * `{name: {tag: layer hex}}` or names a `name:tag` no `RepoTags` entry has.
 */
export function checkRepositories(bytes: Uint8Array, items: readonly DockerSaveItem[]): VerifyProblem[] {
  const problem = (text: string) => [finding('REPOSITORIES_INCONSISTENT', 'warning', `repositories ${text}`)];
  let value: JsonValue;
  try {
    value = parseJsonStrict(bytes, { maxBytes: 4 * 1024 * 1024, what: 'repositories' });
  } catch (error) {
    if (!isLayerkitError(error)) throw error;
    return problem(`is not JSON: ${error.message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return problem('is not an object');
  const repoTags = new Set(items.flatMap((item) => item.RepoTags));
  const problems: VerifyProblem[] = [];
  for (const [name, tags] of Object.entries(value)) {
    if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) {
      problems.push(...problem(`entry ${JSON.stringify(name)} is not an object of tags`));
      continue;
    }
    for (const [tag, layer] of Object.entries(tags)) {
      if (typeof layer !== 'string') problems.push(...problem(`${name}:${tag} is not a layer id`));
      else if (!repoTags.has(`${name}:${tag}`))
        problems.push(...problem(`names ${name}:${tag}, which no RepoTags entry of manifest.json has`));
    }
  }
  return problems;
}
