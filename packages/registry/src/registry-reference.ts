/**
 * Docker image references (`[HOST[:PORT]/]PATH[:TAG][@DIGEST]`) with Docker's normalisation:
 * `nginx` is `docker.io/library/nginx:latest`, `index.docker.io` is `docker.io`. The grammar is
 * distribution/reference's; anything Docker would refuse is `INVALID_REFERENCE`.
 */
import { type Digest, LayerkitError } from '@layerkit/digest';
import { requireSha256 } from '@layerkit/digest/internal';

/** A parsed reference. */
export interface RegistryReference {
  /** The registry host as written in references: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  registry: string;
  /** The repository path on that registry: `library/nginx`, `team/app`. */
  repository: string;
  /** The tag; `latest` when neither a tag nor a digest was given. */
  tag?: string;
  /** The digest after `@`; with a tag as well, the digest decides what is read. */
  digest?: Digest;
}

/** Docker Hub's name in references. */
export const DOCKER_HUB = 'docker.io';
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$/;
const TAG = /^\w[\w.-]{0,127}$/;
const NAME_MAX = 255;

function invalid(text: string, why: string): LayerkitError {
  const shown = text.slice(0, 200);
  return new LayerkitError('INVALID_REFERENCE', `invalid image reference ${JSON.stringify(shown)}: ${why}`, {
    reference: shown,
  });
}

/**
 * Parses a Docker reference. Without a tag or digest the tag is `latest`; with both, both are
 * kept (the digest decides what is read, as in `docker pull`).
 */
export function parseRegistryReference(text: string): RegistryReference {
  // As in Docker: 64 hex digits alone would be read as an image ID, never as a repository.
  if (/^[a-f0-9]{64}$/.test(text)) throw invalid(text, 'cannot name a repository with 64 hexadecimal digits');
  const at = text.indexOf('@');
  const namePart = at < 0 ? text : text.slice(0, at);
  let digest: Digest | undefined;
  if (at >= 0) {
    try {
      digest = requireSha256(text.slice(at + 1));
    } catch {
      throw invalid(text, 'bad digest (expected sha256:<64 hex digits>)');
    }
  }
  const slash = namePart.lastIndexOf('/');
  const colon = namePart.lastIndexOf(':');
  const hasTag = colon > slash;
  const name = hasTag ? namePart.slice(0, colon) : namePart;
  const tag = hasTag ? namePart.slice(colon + 1) : undefined;
  if (tag !== undefined && !TAG.test(tag)) throw invalid(text, 'bad tag');
  const parts = name.split('/');
  const first = parts[0]!;
  const hasDomain =
    parts.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || /[A-Z]/.test(first));
  let registry = hasDomain ? first : DOCKER_HUB;
  const path = hasDomain ? parts.slice(1) : parts;
  if (hasDomain && !DOMAIN.test(registry)) throw invalid(text, 'bad registry host');
  if (path.length === 0 || path.some((part) => part === '')) throw invalid(text, 'empty repository name');
  if (!path.every((part) => PATH_COMPONENT.test(part))) {
    throw invalid(
      text,
      /[A-Z]/.test(path.join('/')) ? 'repository name must be lowercase' : 'bad repository name',
    );
  }
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && path.length === 1) path.unshift('library');
  const repository = path.join('/');
  if (registry.length + 1 + repository.length > NAME_MAX)
    throw invalid(text, `name longer than ${NAME_MAX} characters`);
  const reference: RegistryReference = { registry, repository };
  if (tag !== undefined || digest === undefined) reference.tag = tag ?? 'latest';
  if (digest !== undefined) reference.digest = digest;
  return reference;
}

/** `docker.io/library/nginx`: the full repository name. */
export function fullRepositoryName(reference: Pick<RegistryReference, 'registry' | 'repository'>): string {
  return `${reference.registry}/${reference.repository}`;
}

/** `nginx`, `team/app`, `ghcr.io/team/app`: the name as Docker shows it. */
export function familiarRepositoryName(
  reference: Pick<RegistryReference, 'registry' | 'repository'>,
): string {
  if (reference.registry !== DOCKER_HUB) return fullRepositoryName(reference);
  const parts = reference.repository.split('/');
  return parts.length === 2 && parts[0] === 'library' ? parts[1]! : reference.repository;
}

/** The full form, `docker.io/library/nginx:latest` or `…@sha256:…`, that parses back to `reference`. */
export function formatRegistryReference(reference: RegistryReference): string {
  const tag = reference.tag === undefined ? '' : `:${reference.tag}`;
  const digest = reference.digest === undefined ? '' : `@${reference.digest}`;
  return `${fullRepositoryName(reference)}${tag}${digest}`;
}
