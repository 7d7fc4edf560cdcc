/**
 * How a stored tag reads in the REPOSITORY and TAG columns of `layerkit images`. layerkit names the
 * images of a layout as Docker names (`oci:images:nginx:v2` is ref.name `nginx:v2`, and a
 * docker-archive written from it holds `RepoTags: ["nginx:v2"]`), so a ref.name that is a Docker
 * name reads as one: `nginx:v2` → `nginx` `v2`, `nginx` → `nginx` `latest` (Docker's default tag),
 * `example.com/app:1` → `example.com/app` `1`. Any other ref.name (`1.0+build`, `sha@x`) is
 * repository `<none>` with the ref.name as its tag; an untagged image is `<none>` `<none>`.
 */
import { NONE } from '@layerkit/history';
import { parseDockerName } from './docker-name.js';

/** The REPOSITORY and TAG an image is listed under. */
export interface ListedName {
  /** The familiar repository name, or `<none>`. */
  repository: string;
  /** The tag, or `<none>`. */
  tag: string;
}

/** The listed name of a stored tag (`org.opencontainers.image.ref.name`, a `RepoTags` entry). */
export function listedName(tag: string | undefined): ListedName {
  if (tag === undefined) return { repository: NONE, tag: NONE };
  try {
    const name = parseDockerName(tag);
    return { repository: name.familiarRepository, tag: name.tag };
  } catch {
    return { repository: NONE, tag };
  }
}

/** `nginx:v2`: how `rmi` reports an untagged name (Docker's `Untagged: nginx:v2`). */
export function listedReference(tag: string): string {
  const { repository, tag: shown } = listedName(tag);
  return repository === NONE ? shown : `${repository}:${shown}`;
}
