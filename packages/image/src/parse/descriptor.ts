/**
 * Descriptor validation (descriptor.md): the digest grammar first (R1), a safe non-negative size
 * (R10), a media type, typed optional fields, and embedded `data` checked against both (R2).
 * `urls` are kept for the record but never fetched (R6).
 * Threat ids (Rn) are those of docs/threat-model.md#read.
 */
import {
  type BlobRef,
  BlobVerifier,
  createPortableSha256,
  type Digest,
  type HasherFactory,
  isLayerkitError,
  LayerkitError,
  parseDigest,
} from '@layerkit/digest';
import type { JsonValue } from '../json/json-value.js';
import type { Descriptor, Platform } from '../oci-types.js';
import { Fields, setDefined } from './fields.js';

/** Options shared by the document validators. */
export interface ValidateOptions {
  /** The sha256 implementation used to verify embedded data and documents (default: portable). */
  hasher?: HasherFactory | undefined;
}

const DESCRIPTOR_FIELDS: ReadonlySet<string> = new Set([
  'mediaType',
  'digest',
  'size',
  'urls',
  'annotations',
  'data',
  'artifactType',
  'platform',
]);
const PLATFORM_FIELDS: ReadonlySet<string> = new Set([
  'architecture',
  'os',
  'os.version',
  'os.features',
  'variant',
]);

// RFC 6838 §4.2 restricted names: type "/" subtype, each 1–127 characters.
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Validates an untrusted descriptor found at `where` (e.g. `manifest sha256:… layers[0]`) and returns
 * a clean copy holding only the known fields. Errors: `INVALID_DIGEST` (R1), `INVALID_DESCRIPTOR`,
 * `BLOB_CORRUPT` when embedded `data` does not match the size or digest (R2), `UNSUPPORTED_DIGEST`
 * when data comes with a digest algorithm other than sha256 (it cannot be verified).
 */
export function validateDescriptor(
  value: JsonValue | undefined,
  where: string,
  options: ValidateOptions = {},
): Descriptor {
  const fields: Fields = Fields.of(value, where, 'INVALID_DESCRIPTOR');
  const digest = validateDigestField(fields, 'digest');
  const size = fields.value('size');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    fields.fail(
      'size',
      `must be a non-negative integer below 2^53, found ${JSON.stringify(size) ?? 'nothing'}`,
    );
  }
  const mediaType = fields.string('mediaType');
  if (!MEDIA_TYPE.test(mediaType))
    fields.fail('mediaType', `${JSON.stringify(mediaType)} is not a media type`);
  fields.rejectCaseVariants(DESCRIPTOR_FIELDS);

  const descriptor: Descriptor = { mediaType, digest, size };
  setDefined(descriptor, 'urls', fields.optionalStringArray('urls'));
  setDefined(descriptor, 'annotations', fields.optionalStringMap('annotations'));
  setDefined(descriptor, 'artifactType', fields.optionalString('artifactType'));
  const platform = fields.optionalObject('platform');
  if (platform !== undefined) descriptor.platform = readPlatform(platform);
  const data = fields.optionalString('data');
  if (data !== undefined) {
    verifyEmbeddedData(data, descriptor, fields, options.hasher);
    descriptor.data = data;
  }
  return descriptor;
}

/** Reads `key` as a digest, checking the grammar before the value is used anywhere (R1). */
export function validateDigestField(fields: Fields, key: string): Digest {
  const value = fields.value(key);
  if (typeof value !== 'string') return fields.fail(key, 'must be a digest string');
  return checkedDigest(value, fields.at(key));
}

/** `parseDigest`, with the location of the digest added to the error message. */
export function checkedDigest(value: string, where: string): Digest {
  try {
    return parseDigest(value);
  } catch (error) {
    if (!isLayerkitError(error)) throw error;
    throw new LayerkitError(
      error.code,
      `${where}: ${error.message}`,
      { ...error.details, where },
      { cause: error },
    );
  }
}

/** Reads the platform fields of an index entry's `platform` (or of a config, which has the same ones). */
export function readPlatform(fields: Fields): Platform {
  fields.rejectCaseVariants(PLATFORM_FIELDS);
  const platform: Platform = { architecture: fields.string('architecture'), os: fields.string('os') };
  setDefined(platform, 'os.version', fields.optionalString('os.version'));
  setDefined(platform, 'os.features', fields.optionalStringArray('os.features'));
  setDefined(platform, 'variant', fields.optionalString('variant'));
  return platform;
}

function verifyEmbeddedData(
  data: string,
  descriptor: Descriptor,
  fields: Fields,
  hasher?: HasherFactory,
): void {
  if (!BASE64.test(data)) fields.fail('data', 'is not padded standard base64');
  verifyBytes(
    descriptor,
    Uint8Array.from(atob(data), (c) => c.charCodeAt(0)),
    hasher,
  );
}

/**
 * Checks bytes against a ref: size first, then the sha256 digest (R2). Throws `BLOB_CORRUPT`, or
 * `UNSUPPORTED_DIGEST` for a digest algorithm other than sha256.
 */
export function verifyBytes(
  ref: BlobRef,
  bytes: Uint8Array,
  hasher: HasherFactory = createPortableSha256,
): void {
  const verifier = new BlobVerifier(ref, hasher);
  verifier.add(bytes);
  verifier.finish();
}
