/**
 * What a served manifest is: its Content-Type when that names a type, else the document's own
 * `mediaType` (registries and proxies that answer `application/json`); nothing when neither says.
 */
import { MANIFEST_MEDIA_TYPES } from '@layerkit/registry';
import { describe, expect, it } from 'vitest';
import {
  MANIFEST_ACCEPT,
  manifestMediaType,
} from '../../../../packages/registry/src/client/manifest-media-type.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const body = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('manifestMediaType', () => {
  it('a manifest Content-Type wins, parameters and case dropped', () => {
    expect(manifestMediaType(OCI_MANIFEST, body({ mediaType: OCI_INDEX }))).toBe(OCI_MANIFEST);
    expect(manifestMediaType(`${OCI_INDEX.toUpperCase()}; charset=utf-8`, body({}))).toBe(OCI_INDEX);
    expect(manifestMediaType(' application/vnd.docker.distribution.manifest.v2+json ', body({}))).toBe(
      'application/vnd.docker.distribution.manifest.v2+json',
    );
  });

  it.each([
    null,
    '',
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/octet-stream',
  ])('a generic Content-Type (%j): the document decides', (contentType) => {
    expect(manifestMediaType(contentType, body({ schemaVersion: 2, mediaType: OCI_INDEX }))).toBe(OCI_INDEX);
  });

  it.each([
    ['no mediaType', body({ schemaVersion: 2 })],
    ['an empty mediaType', body({ mediaType: '' })],
    ['a mediaType that is no string', body({ mediaType: 7 })],
    ['JSON null', body(null)],
    ['a JSON array', body([OCI_MANIFEST])],
    ['no JSON', new TextEncoder().encode('{"mediaType": "x"')],
    ['no bytes', new Uint8Array(0)],
    ['invalid UTF-8', new Uint8Array([0xff, 0xfe, 0x7b])],
  ])('a generic Content-Type and %s: undefined', (_, bytes) => {
    expect(manifestMediaType('application/json', bytes)).toBeUndefined();
  });

  it('any other Content-Type is reported as it is (the caller decides whether it is a manifest)', () => {
    expect(manifestMediaType('text/html', body({ mediaType: OCI_MANIFEST }))).toBe('text/html');
  });
});

describe('the Accept header', () => {
  it('asks for OCI and Docker schema 2 manifests and indexes, never schema 1', () => {
    expect([...MANIFEST_MEDIA_TYPES].sort()).toEqual([
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      OCI_INDEX,
      OCI_MANIFEST,
    ]);
    expect(MANIFEST_ACCEPT.split(', ')).toEqual([...MANIFEST_MEDIA_TYPES]);
    expect(MANIFEST_ACCEPT).not.toContain('prettyjws');
    expect(MANIFEST_ACCEPT).not.toContain('manifest.v1+json"');
  });
});
