/**
 * Docker image names as `docker save`/`docker load` spell them: `RepoTags` hold the familiar
 * form (`nginx:latest`, `example.com/app:1`), the index annotation `io.containerd.image.name`
 * the full one (`docker.io/library/nginx:latest`), `repositories` the familiar name.
 */
import { LayerkitError } from '@layerkit/digest';

/** A `name:tag` Docker reference in both spellings. */
export interface DockerName {
  /** Full repository name with registry, e.g. `docker.io/library/nginx`. */
  repository: string;
  /** The familiar repository name, e.g. `nginx`. */
  familiarRepository: string;
  tag: string;
}

const DEFAULT_DOMAIN = 'docker.io';
// distribution/reference: lowercase path components joined by separators; tags up to 128 chars.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** Parses `name[:tag]` (tag default `latest`); `INVALID_REFERENCE` for anything Docker would refuse. */
export function parseDockerName(text: string): DockerName {
  const invalid = (why: string) =>
    new LayerkitError(
      'INVALID_REFERENCE',
      `invalid image reference ${JSON.stringify(text.slice(0, 200))}: ${why}`,
      {
        reference: text.slice(0, 200),
      },
    );
  if (text.length > 255 + 129 || text.includes('@')) throw invalid('expected name[:tag]');
  const slash = text.lastIndexOf('/');
  const colon = text.lastIndexOf(':');
  const hasTag = colon > slash;
  const name = hasTag ? text.slice(0, colon) : text;
  const tag = hasTag ? text.slice(colon + 1) : 'latest';
  if (!TAG.test(tag)) throw invalid('bad tag');
  const parts = name.split('/');
  const first = parts[0]!;
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const domain = hasDomain ? first : DEFAULT_DOMAIN;
  const path = hasDomain ? parts.slice(1) : parts;
  if (hasDomain && !DOMAIN.test(domain)) throw invalid('bad registry host');
  if (path.length === 0 || !path.every((part) => PATH_COMPONENT.test(part)))
    throw invalid('bad repository name');
  if (domain === DEFAULT_DOMAIN && path.length === 1) path.unshift('library');
  const remote = path.join('/');
  const familiarRepository =
    domain === DEFAULT_DOMAIN
      ? remote.startsWith('library/') && path.length === 2
        ? path[1]!
        : remote
      : `${domain}/${remote}`;
  return { repository: `${domain}/${remote}`, familiarRepository, tag };
}

/** `nginx:latest`: the `RepoTags` spelling. */
export function familiarReference(name: DockerName): string {
  return `${name.familiarRepository}:${name.tag}`;
}

/** `docker.io/library/nginx:latest`: the `io.containerd.image.name` spelling. */
export function fullReference(name: DockerName): string {
  return `${name.repository}:${name.tag}`;
}
