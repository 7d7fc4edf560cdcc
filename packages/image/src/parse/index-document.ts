/**
 * Image index validation (image-index.md; Docker manifest lists are accepted as they are).
 * Entries of unknown media types are kept: an index "MUST NOT generate an error" for them.
 */
import type { Raw } from '../json/raw.js';
import { isIndexMediaType } from '../media-types.js';
import type { Descriptor, ImageIndex } from '../oci-types.js';
import { type ValidateOptions, validateDescriptor } from './descriptor.js';
import { type DocumentKind, openDocument } from './document.js';

const INDEX: DocumentKind = {
  name: 'index',
  code: 'INVALID_INDEX',
  isKind: isIndexMediaType,
  foreign: ['config', 'layers'],
  known: new Set(['schemaVersion', 'mediaType', 'artifactType', 'manifests', 'subject', 'annotations']),
};

/**
 * Parses and validates untrusted index bytes (an `index.json` or a nested index blob). With
 * `expected`, the size and digest must match (R2) and the media types must agree (R4): docs/threat-model.md.
 * Errors: as `parseManifest`, with `INVALID_INDEX` for a malformed index.
 */
export function parseIndex(
  bytes: Uint8Array,
  expected?: Descriptor,
  options: ValidateOptions = {},
): Raw<ImageIndex> {
  const { fields, digest, what, common } = openDocument(bytes, INDEX, expected, options);

  const index: ImageIndex = {
    schemaVersion: 2,
    manifests: fields
      .array('manifests')
      .map((entry, i) => validateDescriptor(entry, `${what}.manifests[${i}]`, options)),
    ...common,
  };
  return { value: index, bytes, digest };
}
