/**
 * Image manifest validation (manifest.md; Docker schema2 manifests are accepted as they are).
 */
import type { Raw } from '../json/raw.js';
import { isManifestMediaType } from '../media-types.js';
import type { Descriptor, ImageManifest } from '../oci-types.js';
import { type ValidateOptions, validateDescriptor } from './descriptor.js';
import { type DocumentKind, openDocument } from './document.js';

const MANIFEST: DocumentKind = {
  name: 'manifest',
  code: 'INVALID_MANIFEST',
  isKind: isManifestMediaType,
  foreign: ['manifests'],
  known: new Set([
    'schemaVersion',
    'mediaType',
    'artifactType',
    'config',
    'layers',
    'subject',
    'annotations',
  ]),
};

/**
 * Parses and validates untrusted manifest bytes. With `expected` (the descriptor the bytes were
 * fetched by), the size and digest must match (R2) and the media types must agree (R4): docs/threat-model.md.
 * The value holds only the known fields, with Docker media types left as they are (map them with
 * `toOciMediaType`); the bytes are never re-serialized. Errors: `JSON_TOO_LARGE`, `INVALID_JSON`,
 * `BLOB_CORRUPT`, `MEDIA_TYPE_MISMATCH`, `INVALID_MANIFEST`, `INVALID_DESCRIPTOR`, `INVALID_DIGEST`.
 */
export function parseManifest(
  bytes: Uint8Array,
  expected?: Descriptor,
  options: ValidateOptions = {},
): Raw<ImageManifest> {
  const { fields, digest, what, common } = openDocument(bytes, MANIFEST, expected, options);
  if (!fields.has('config')) fields.fail('config', 'is required');

  const manifest: ImageManifest = {
    schemaVersion: 2,
    config: validateDescriptor(fields.value('config'), fields.at('config'), options),
    layers: fields
      .array('layers')
      .map((layer, i) => validateDescriptor(layer, `${what}.layers[${i}]`, options)),
    ...common,
  };
  return { value: manifest, bytes, digest };
}
