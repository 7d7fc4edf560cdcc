/**
 * The `oci-layout` file of an image layout (image-layout.md): `{"imageLayoutVersion":"1.0.0"}`.
 */
import { LayerkitError } from '@layerkit/digest';
import { canonicalJson } from '../json/canonical.js';
import { JsonSizeLimits, parseJsonStrict } from '../json/strict-parse.js';
import { Fields } from './fields.js';

/** The one layout version layerkit reads and writes. */
export const OCI_LAYOUT_VERSION = '1.0.0';

/** The `oci-layout` file layerkit writes (canonical JSON). */
export const OCI_LAYOUT_HEADER: Uint8Array = canonicalJson({ imageLayoutVersion: OCI_LAYOUT_VERSION });

/** A parsed `oci-layout` header. */
export interface OciLayoutHeader {
  /** The layout's version: `1.0.0`, the only one the spec defines (any other is refused). */
  imageLayoutVersion: typeof OCI_LAYOUT_VERSION;
}

/**
 * Parses an `oci-layout` file. Extra fields are allowed; any version but 1.0.0 is
 * `UNSUPPORTED_OCI_VERSION` (R13 of docs/threat-model.md, as containerd's importer); malformed
 * input is `INVALID_LAYOUT`.
 */
export function parseOciLayoutHeader(bytes: Uint8Array): OciLayoutHeader {
  const json = parseJsonStrict(bytes, { maxBytes: JsonSizeLimits.layoutHeader, what: 'oci-layout' });
  const version = Fields.of(json, 'oci-layout', 'INVALID_LAYOUT').string('imageLayoutVersion');
  if (version !== OCI_LAYOUT_VERSION) {
    throw new LayerkitError(
      'UNSUPPORTED_OCI_VERSION',
      `unsupported OCI version ${JSON.stringify(version)} in oci-layout`,
      {
        version,
      },
    );
  }
  return { imageLayoutVersion: OCI_LAYOUT_VERSION };
}
