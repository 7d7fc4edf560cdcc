/**
 * Image references in skopeo's transport syntax (containers/image): `oci:DIR[:TAG]`,
 * `oci-archive:FILE[:TAG]`, `docker-archive:FILE[:NAME[:TAG]]` or `docker-archive:FILE:@INDEX`,
 * and `docker://[HOST[:PORT]/]REPO[:TAG|@DIGEST]` for a registry (Docker's normalisation:
 * `docker://nginx` is `docker.io/library/nginx:latest`).
 * As in containers/image on Linux, the path ends at the FIRST colon after the transport, so paths
 * cannot contain `:` and everything after it is the tag (`oci:images:nginx:v2` is tag `nginx:v2`).
 */
import { LayerkitError } from '@layerkit/digest';
import { formatRegistryReference, parseRegistryReference, type RegistryReference } from '@layerkit/registry';
import { isValidRefName } from '../parse/ref-name.js';
import { type DockerName, fullReference, parseDockerName } from '../store/docker-name.js';

/** An OCI image layout directory or an oci-archive tar, with an optional `ref.name` tag. */
export interface OciReference {
  /** `oci`: a layout directory; `oci-archive`: a tar of one. */
  transport: 'oci' | 'oci-archive';
  /** The layout directory or archive file, as written (a path here cannot contain `:`). */
  path: string;
  /** The `org.opencontainers.image.ref.name` to read or write; absent: the only image. */
  tag?: string;
}

/** A `docker save` archive, with an optional Docker name or the index of an image in it. */
export interface DockerArchiveReference {
  /** Always `docker-archive`. */
  transport: 'docker-archive';
  /** The archive file, as written (a path here cannot contain `:`). */
  path: string;
  /** Normalized like Docker (`nginx` → `docker.io/library/nginx:latest`). */
  name?: DockerName;
  /** `@N`: the N-th image of `manifest.json` (reading only). */
  sourceIndex?: number;
}

/** An image in a registry: the network is used only for these. */
export interface RegistryImageReference extends RegistryReference {
  /** Always `docker` (written `docker://`). */
  transport: 'docker';
}

/** A parsed image reference. */
export type ImageReference = OciReference | DockerArchiveReference | RegistryImageReference;

/** The transports layerkit reads and writes. */
export const IMAGE_TRANSPORTS = ['oci', 'oci-archive', 'docker-archive', 'docker'] as const;

const TRANSPORT_FORMS = 'oci:DIR, oci-archive:FILE, docker-archive:FILE or docker://REFERENCE';

/**
 * Parses `transport:path[:rest]`. Tags must match the ref.name grammar (R18,
 * docs/threat-model.md#r18); docker-archive names must be valid Docker `name[:tag]` references (no
 * digests). Throws `INVALID_REFERENCE`.
 */
export function parseImageReference(text: string): ImageReference {
  const invalid = (problem: string): never => {
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    throw new LayerkitError(
      'INVALID_REFERENCE',
      `invalid image reference ${JSON.stringify(shown)}: ${problem}`,
      {
        reference: shown,
      },
    );
  };
  const [transport, rest] = cut(text);
  if (transport === 'docker') {
    if (rest === undefined || !rest.startsWith('//'))
      return invalid('expected docker://[HOST[:PORT]/]REPOSITORY[:TAG|@DIGEST]');
    return { transport, ...parseRegistryReference(rest.slice(2)) };
  }
  if (rest === undefined) return invalid(`expected ${TRANSPORT_FORMS}`);
  const [path, suffix] = cut(rest);
  if (path === '') return invalid('the path is empty');
  if (path.includes('\0')) return invalid('the path contains NUL');

  if (transport === 'oci' || transport === 'oci-archive') {
    if (suffix === undefined || suffix === '') return { transport, path };
    if (!isValidRefName(suffix)) return invalid(`${JSON.stringify(suffix)} is not a valid image ref name`);
    return { transport, path, tag: suffix };
  }
  if (transport === 'docker-archive') {
    if (suffix === undefined) return { transport, path };
    if (suffix.startsWith('@')) {
      if (!/^@[0-9]{1,9}$/.test(suffix)) return invalid(`invalid source index ${JSON.stringify(suffix)}`);
      return { transport, path, sourceIndex: Number(suffix.slice(1)) };
    }
    return { transport, path, name: parseDockerName(suffix) };
  }
  return invalid(`unsupported transport ${JSON.stringify(transport)} (expected ${TRANSPORT_FORMS})`);
}

/** Formats a reference so that `parseImageReference` gives it back (Docker names in full form). */
export function formatImageReference(reference: ImageReference): string {
  if (reference.transport === 'docker') return `docker://${formatRegistryReference(reference)}`;
  const base = `${reference.transport}:${reference.path}`;
  if (reference.transport !== 'docker-archive')
    return reference.tag === undefined ? base : `${base}:${reference.tag}`;
  if (reference.name !== undefined) return `${base}:${fullReference(reference.name)}`;
  return reference.sourceIndex === undefined ? base : `${base}:@${reference.sourceIndex}`;
}

/** Splits at the first `:`, like Go's `strings.Cut`. */
function cut(text: string): [string, string | undefined] {
  const colon = text.indexOf(':');
  return colon < 0 ? [text, undefined] : [text.slice(0, colon), text.slice(colon + 1)];
}
