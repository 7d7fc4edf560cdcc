/**
 * Docker image names as `docker save`/`docker load` spell them: `RepoTags` hold the familiar
 * form (`nginx:latest`, `example.com/app:1`), the index annotation `io.containerd.image.name`
 * the full one (`docker.io/library/nginx:latest`), `repositories` the familiar name. The grammar
 * is the registry references' (one parser, `parseRegistryReference`); archives take no digests.
 */
import { LayerkitError } from '@layerkit/digest';
import { familiarRepositoryName, fullRepositoryName, parseRegistryReference } from '@layerkit/registry';

/** A `name:tag` Docker reference in both spellings. */
export interface DockerName {
  /** Full repository name with registry, e.g. `docker.io/library/nginx`. */
  repository: string;
  /** The familiar repository name, e.g. `nginx`. */
  familiarRepository: string;
  /** The tag (`latest` when none was given). */
  tag: string;
}

/** Parses `name[:tag]` (tag default `latest`); `INVALID_REFERENCE` for anything Docker would refuse. */
export function parseDockerName(text: string): DockerName {
  const reference = parseRegistryReference(text);
  if (reference.digest !== undefined) {
    throw new LayerkitError(
      'INVALID_REFERENCE',
      `invalid image reference ${JSON.stringify(text.slice(0, 200))}: expected name[:tag]`,
      {
        reference: text.slice(0, 200),
      },
    );
  }
  return {
    repository: fullRepositoryName(reference),
    familiarRepository: familiarRepositoryName(reference),
    tag: reference.tag ?? 'latest',
  };
}

/** `nginx:latest`: the `RepoTags` spelling. */
export function familiarReference(name: DockerName): string {
  return `${name.familiarRepository}:${name.tag}`;
}

/** `docker.io/library/nginx:latest`: the `io.containerd.image.name` spelling. */
export function fullReference(name: DockerName): string {
  return `${name.repository}:${name.tag}`;
}
