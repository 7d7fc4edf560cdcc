/**
 * Which manifest formats the client asks for, and what a served manifest is: the
 * `Content-Type` when it names a manifest type, else the document's own `mediaType` field
 * (some registries and proxies answer `application/json`).
 */

/** OCI image manifest and index, Docker schema 2 manifest and manifest list (not schema 1). */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
] as const;

/** The `Accept` header of manifest requests. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

const GENERIC_TYPES = new Set(['', 'application/json', 'text/plain', 'application/octet-stream']);

/** The media type of a served manifest, or undefined when neither the header nor the body says. */
export function manifestMediaType(contentType: string | null, bytes: Uint8Array): string | undefined {
  const header = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!GENERIC_TYPES.has(header)) return header;
  try {
    const { mediaType } = JSON.parse(new TextDecoder().decode(bytes)) as { mediaType?: unknown };
    return typeof mediaType === 'string' && mediaType !== '' ? mediaType : undefined;
  } catch {
    return undefined;
  }
}
