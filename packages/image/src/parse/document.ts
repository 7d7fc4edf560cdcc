/**
 * The common first steps of reading a content-addressed JSON document: size cap (R3), then the
 * size and digest the descriptor promised (R2), then a strict parse of exactly those bytes (R21).
 * Threat ids (Rn) are those of docs/threat-model.md#read.
 */
import { type Digest, LayerkitError, type LayerkitErrorCode, sha256Bytes } from '@layerkit/digest';
import type { JsonValue } from '../json/json-value.js';
import { checkJsonSize, JsonSizeLimits, parseJsonStrict } from '../json/strict-parse.js';
import type { Descriptor, ImageIndex } from '../oci-types.js';
import { type ValidateOptions, validateDescriptor, verifyBytes } from './descriptor.js';
import { Fields, setDefined } from './fields.js';

/** A document's parsed JSON with the digest of its bytes and its name for messages. */
export interface ReadDocument {
  json: JsonValue;
  digest: Digest;
  /** e.g. `manifest sha256:…`. */
  what: string;
}

/** Caps, verifies against `expected` when given, hashes and parses `bytes` as a `kind` document. */
export function readDocument(
  bytes: Uint8Array,
  kind: 'manifest' | 'index' | 'config',
  expected: Descriptor | undefined,
  options: ValidateOptions,
): ReadDocument {
  checkJsonSize(bytes.length, JsonSizeLimits[kind], expected ? `${kind} ${expected.digest}` : kind);
  let digest: Digest;
  if (expected === undefined) {
    digest = sha256Bytes(bytes, options.hasher);
  } else {
    verifyBytes(expected, bytes, options.hasher);
    digest = expected.digest;
  }
  const what = `${kind} ${digest}`;
  return { json: parseJsonStrict(bytes, { maxBytes: JsonSizeLimits[kind], what }), digest, what };
}

/** What distinguishes manifests from indexes when they are read. */
export interface DocumentKind {
  name: 'manifest' | 'index';
  /** The error code for a malformed document. */
  code: LayerkitErrorCode;
  isKind: (mediaType: string) => boolean;
  /** Fields of the other kind, which must be absent (R4). */
  foreign: readonly string[];
  /** The document's own top-level fields. */
  known: ReadonlySet<string>;
}

/** A manifest or index read up to its kind-specific fields. */
export interface OpenedDocument {
  fields: Fields;
  digest: Digest;
  what: string;
  common: CommonDocumentFields;
}

/**
 * Reads a manifest or index: `readDocument`, then the checks both kinds share — no foreign fields
 * and agreeing media types (R4), schemaVersion 2, no case variants of known fields — and the
 * optional fields both kinds have.
 */
export function openDocument(
  bytes: Uint8Array,
  kind: DocumentKind,
  expected: Descriptor | undefined,
  options: ValidateOptions,
): OpenedDocument {
  const { json, digest, what } = readDocument(bytes, kind.name, expected, options);
  const fields: Fields = Fields.of(json, what, kind.code);
  rejectForeignFields((key) => fields.has(key), kind.foreign, what);
  const mediaType = fields.optionalString('mediaType');
  checkDocumentMediaType(mediaType, expected, kind.isKind, what);
  checkSchemaVersion(fields.value('schemaVersion'), kind.code, what);
  fields.rejectCaseVariants(kind.known);
  return { fields, digest, what, common: readCommonFields(fields, mediaType, options) };
}

/**
 * R4 (CVE-2021-41190): the media type a document declares must be of its kind and must equal the
 * type in the descriptor it was fetched by; the descriptor's type must be of the kind as well.
 */
function checkDocumentMediaType(
  declared: string | undefined,
  expected: Descriptor | undefined,
  isKind: (mediaType: string) => boolean,
  what: string,
): void {
  const mismatch = (problem: string, details: Record<string, unknown>): never => {
    throw new LayerkitError('MEDIA_TYPE_MISMATCH', `${what}: ${problem}`, { what, ...details });
  };
  if (expected !== undefined && !isKind(expected.mediaType)) {
    mismatch(`its descriptor says ${JSON.stringify(expected.mediaType)}`, { expected: expected.mediaType });
  }
  if (declared === undefined) return;
  if (!isKind(declared)) mismatch(`mediaType ${JSON.stringify(declared)} is of another kind`, { declared });
  if (expected !== undefined && declared !== expected.mediaType) {
    mismatch(
      `mediaType ${JSON.stringify(declared)} disagrees with its descriptor's ${JSON.stringify(expected.mediaType)}`,
      {
        declared,
        expected: expected.mediaType,
      },
    );
  }
}

/** R4: a document must not carry the fields of the other kind (`manifests` in a manifest, `layers` in an index). */
function rejectForeignFields(
  present: (key: string) => boolean,
  foreign: readonly string[],
  what: string,
): void {
  const found = foreign.filter(present);
  if (found.length > 0) {
    throw new LayerkitError(
      'MEDIA_TYPE_MISMATCH',
      `${what} has ${found.map((key) => `"${key}"`).join(' and ')}, which belong to another kind of document`,
      { what, fields: found },
    );
  }
}

/** Requires `schemaVersion` 2 (the only version of OCI and Docker schema2 documents). */
function checkSchemaVersion(value: JsonValue | undefined, code: LayerkitErrorCode, what: string): void {
  if (value !== 2) {
    throw new LayerkitError(
      code,
      `${what}.schemaVersion must be 2, found ${JSON.stringify(value) ?? 'nothing'}`,
      {
        what,
      },
    );
  }
}

/** The optional fields manifests and indexes share. */
export type CommonDocumentFields = Pick<ImageIndex, 'mediaType' | 'artifactType' | 'subject' | 'annotations'>;

/** Reads `artifactType`, `subject` and `annotations`, and records the already checked `mediaType`. */
function readCommonFields(
  fields: Fields,
  mediaType: string | undefined,
  options: ValidateOptions,
): CommonDocumentFields {
  const common: CommonDocumentFields = {};
  setDefined(common, 'mediaType', mediaType);
  setDefined(common, 'artifactType', fields.optionalString('artifactType'));
  if (fields.has('subject'))
    common.subject = validateDescriptor(fields.value('subject'), fields.at('subject'), options);
  setDefined(common, 'annotations', fields.optionalStringMap('annotations'));
  return common;
}
