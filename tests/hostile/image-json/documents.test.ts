/**
 * The hostile-document corpus (R1–R22 of docs/threat-model.md, where they concern documents): each row is
 * a document built here byte by byte, with the exact error code a reader must raise.
 */
import { type Digest, sha256Bytes } from '@layerkit/digest';
import {
  canonicalJson,
  type Descriptor,
  MediaTypes,
  parseConfig,
  parseIndex,
  parseManifest,
  parseOciLayoutHeader,
} from '@layerkit/image';
import { describe, expect, it } from 'vitest';
import { checkLayersMatchDiffIds } from '../../../packages/image/src/parse/layer-count.js';
import { validateRefName } from '../../../packages/image/src/parse/ref-name.js';
import { parseUser } from '../../../packages/image/src/parse/user.js';
import { errorOf } from '../../fixtures/error-of.js';

const enc = new TextEncoder();
const EMPTY = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a' as Digest;
const A = `sha256:${'a'.repeat(64)}` as Digest;
const B = `sha256:${'b'.repeat(64)}` as Digest;

const descriptorOf = (mediaType: string, bytes: Uint8Array): Descriptor => ({
  mediaType,
  digest: sha256Bytes(bytes),
  size: bytes.length,
});

const layer = (digest = A): Record<string, unknown> => ({
  mediaType: MediaTypes.ociLayerGzip,
  digest,
  size: 10,
});
const manifestValue = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemaVersion: 2,
  mediaType: MediaTypes.ociManifest,
  config: { mediaType: MediaTypes.ociConfig, digest: B, size: 100 },
  layers: [layer()],
  ...extra,
});
const configValue = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  architecture: 'amd64',
  os: 'linux',
  rootfs: { type: 'layers', diff_ids: [A] },
  ...extra,
});

describe('R1: digest grammar is checked before any use', () => {
  it.each([
    'sha256:../../../../etc/passwd',
    `sha256:${'A'.repeat(64)}`,
    `sha256:${'a'.repeat(63)}`,
    `:${'a'.repeat(64)}`,
    'sha256/../x',
    '',
  ])('rejects layer digest %j', (digest) => {
    const error = errorOf(() =>
      parseManifest(canonicalJson(manifestValue({ layers: [layer(digest as Digest)] }))),
    );
    expect(error.code).toBe('INVALID_DIGEST');
    expect(error.message).toContain('layers[0].digest');
  });

  it('rejects a bad digest in an index.json entry, even before a bad size', () => {
    const index = {
      schemaVersion: 2,
      manifests: [{ mediaType: MediaTypes.ociManifest, digest: 'sha256:../x', size: -1 }],
    };
    expect(errorOf(() => parseIndex(canonicalJson(index))).code).toBe('INVALID_DIGEST');
  });

  it('rejects a bad diff_id', () => {
    const config = configValue({ rootfs: { type: 'layers', diff_ids: ['sha256:zz'] } });
    const error = errorOf(() => parseConfig(canonicalJson(config)));
    expect(error.code).toBe('INVALID_DIGEST');
    expect(error.message).toContain('rootfs.diff_ids[0]');
  });

  it('accepts an unregistered algorithm that fits the grammar', () => {
    const manifest = parseManifest(
      canonicalJson(manifestValue({ layers: [layer('multihash+base58:QmRZxt2b1F' as Digest)] })),
    );
    expect(manifest.value.layers[0]?.digest).toBe('multihash+base58:QmRZxt2b1F');
  });
});

describe('R2: bytes must match the descriptor they were fetched by', () => {
  const bytes = canonicalJson(manifestValue());
  const good = descriptorOf(MediaTypes.ociManifest, bytes);

  it('accepts matching bytes and keeps them with their digest', () => {
    const raw = parseManifest(bytes, good);
    expect(raw.bytes).toBe(bytes);
    expect(raw.digest).toBe(good.digest);
  });

  it('rejects a size mismatch', () => {
    expect(errorOf(() => parseManifest(bytes, { ...good, size: good.size + 1 })).code).toBe('BLOB_CORRUPT');
  });

  it('rejects a digest mismatch', () => {
    expect(errorOf(() => parseManifest(bytes, { ...good, digest: A })).code).toBe('BLOB_CORRUPT');
  });

  it('verifies embedded data against size and digest', () => {
    const ok = { mediaType: MediaTypes.ociEmpty, digest: EMPTY, size: 2, data: 'e30=' };
    expect(parseManifest(canonicalJson(manifestValue({ config: ok }))).value.config.data).toBe('e30=');
    for (const bad of [
      { ...ok, data: 'e3w=' },
      { ...ok, size: 3 },
      { ...ok, data: 'e30' },
    ]) {
      const error = errorOf(() => parseManifest(canonicalJson(manifestValue({ config: bad }))));
      expect(['BLOB_CORRUPT', 'INVALID_DESCRIPTOR']).toContain(error.code);
    }
    expect(
      errorOf(() => parseManifest(canonicalJson(manifestValue({ config: { ...ok, data: 'e3w=' } })))).code,
    ).toBe('BLOB_CORRUPT');
    expect(
      errorOf(() => parseManifest(canonicalJson(manifestValue({ config: { ...ok, data: 'e30' } })))).code,
    ).toBe('INVALID_DESCRIPTOR');
  });
});

describe('R3: JSON size caps come first', () => {
  it('rejects a manifest over 4 MiB without parsing it', () => {
    const huge = new Uint8Array(4 * 1024 * 1024 + 1).fill(0x20);
    expect(errorOf(() => parseManifest(huge)).code).toBe('JSON_TOO_LARGE');
    expect(errorOf(() => parseIndex(huge)).code).toBe('JSON_TOO_LARGE');
  });

  it('allows configs up to 20 MiB', () => {
    const big = canonicalJson(configValue({ padding: 'x'.repeat(5 * 1024 * 1024) }));
    expect(parseConfig(big).value.os).toBe('linux');
    expect(errorOf(() => parseConfig(new Uint8Array(20 * 1024 * 1024 + 1))).code).toBe('JSON_TOO_LARGE');
  });

  it('rejects an oversized oci-layout header', () => {
    expect(errorOf(() => parseOciLayoutHeader(new Uint8Array(65 * 1024))).code).toBe('JSON_TOO_LARGE');
  });
});

describe('R4: manifest / index confusion', () => {
  it('rejects a manifest that also has manifests', () => {
    const error = errorOf(() => parseManifest(canonicalJson(manifestValue({ manifests: [] }))));
    expect(error.code).toBe('MEDIA_TYPE_MISMATCH');
  });

  it('rejects an index that also has layers or config', () => {
    const index = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [], layers: [] };
    expect(errorOf(() => parseIndex(canonicalJson(index))).code).toBe('MEDIA_TYPE_MISMATCH');
    const withConfig = { schemaVersion: 2, manifests: [], config: manifestValue().config };
    expect(errorOf(() => parseIndex(canonicalJson(withConfig))).code).toBe('MEDIA_TYPE_MISMATCH');
  });

  it('rejects a document mediaType of the other kind', () => {
    const bytes = canonicalJson(manifestValue({ mediaType: MediaTypes.ociIndex }));
    expect(errorOf(() => parseManifest(bytes)).code).toBe('MEDIA_TYPE_MISMATCH');
  });

  it('rejects a document mediaType that disagrees with its descriptor', () => {
    const bytes = canonicalJson(manifestValue());
    const error = errorOf(() => parseManifest(bytes, descriptorOf(MediaTypes.dockerManifest, bytes)));
    expect(error.code).toBe('MEDIA_TYPE_MISMATCH');
  });

  it('rejects parsing an index descriptor as a manifest', () => {
    const bytes = canonicalJson(manifestValue({ mediaType: undefined }));
    expect(errorOf(() => parseManifest(bytes, descriptorOf(MediaTypes.ociIndex, bytes))).code).toBe(
      'MEDIA_TYPE_MISMATCH',
    );
  });

  it('accepts Docker schema2 documents by their own media types', () => {
    const bytes = canonicalJson(
      manifestValue({
        mediaType: MediaTypes.dockerManifest,
        config: { mediaType: MediaTypes.dockerConfig, digest: B, size: 1 },
        layers: [{ mediaType: MediaTypes.dockerLayerGzip, digest: A, size: 1 }],
      }),
    );
    expect(parseManifest(bytes, descriptorOf(MediaTypes.dockerManifest, bytes)).value.mediaType).toBe(
      MediaTypes.dockerManifest,
    );
    const list = canonicalJson({ schemaVersion: 2, mediaType: MediaTypes.dockerManifestList, manifests: [] });
    expect(parseIndex(list, descriptorOf(MediaTypes.dockerManifestList, list)).value.manifests).toEqual([]);
  });
});

describe('R6: non-distributable layers with urls are read, never fetched', () => {
  it('keeps urls on a foreign layer descriptor', () => {
    const foreign = {
      mediaType: MediaTypes.dockerForeignLayerGzip,
      digest: A,
      size: 5,
      urls: ['http://attacker/x'],
    };
    const manifest = parseManifest(canonicalJson(manifestValue({ layers: [foreign] }))).value;
    expect(manifest.layers[0]).toEqual(foreign);
  });
});

describe('R7: layers and diff_ids pair up', () => {
  it('rejects a count mismatch', () => {
    const manifest = parseManifest(canonicalJson(manifestValue({ layers: [layer(), layer(B)] }))).value;
    const config = parseConfig(canonicalJson(configValue())).value;
    const error = errorOf(() => checkLayersMatchDiffIds(manifest, config));
    expect(error.code).toBe('LAYER_COUNT_MISMATCH');
    expect(error.message).toContain("number of layers and diffIDs don't match");
    checkLayersMatchDiffIds({ ...manifest, layers: [layer() as unknown as Descriptor] }, config);
  });
});

describe('R8: rootfs.type must be layers', () => {
  it('rejects zfs', () => {
    const bytes = canonicalJson(configValue({ rootfs: { type: 'zfs', diff_ids: [] } }));
    expect(errorOf(() => parseConfig(bytes)).code).toBe('UNSUPPORTED_ROOTFS_TYPE');
  });
});

describe('R10: duplicate keys, imprecise and negative sizes, bad UTF-8', () => {
  it('rejects duplicate digest keys', () => {
    const text = `{"schemaVersion":2,"config":{"mediaType":"${MediaTypes.ociConfig}","digest":"${A}","digest":"${B}","size":1},"layers":[]}`;
    expect(errorOf(() => parseManifest(enc.encode(text))).code).toBe('INVALID_JSON');
  });

  it('rejects keys that only differ in case from a field (Go would read them as that field)', () => {
    const text = `{"schemaVersion":2,"config":{"mediaType":"${MediaTypes.ociConfig}","digest":"${A}","Digest":"${B}","size":1},"layers":[]}`;
    const error = errorOf(() => parseManifest(enc.encode(text)));
    expect(error.code).toBe('INVALID_DESCRIPTOR');
    expect(error.message).toContain('differs from the field "digest" only in case');
    const topLevel = canonicalJson({ ...manifestValue(), Layers: [] });
    expect(errorOf(() => parseManifest(topLevel)).code).toBe('INVALID_MANIFEST');
    const kelvin = canonicalJson(configValue({ config: { User: '0', \u212Aey: 1, uſer: 'x' } }));
    expect(errorOf(() => parseConfig(kelvin)).code).toBe('INVALID_CONFIG');
  });

  it.each([
    ['above 2^53', '9007199254740993'],
    ['exactly 2^53', '9007199254740992'],
    ['negative', '-1'],
    ['fractional', '1.5'],
    ['a string', '"10"'],
  ])('rejects a size that is %s', (_name, size) => {
    const text = `{"schemaVersion":2,"config":{"mediaType":"${MediaTypes.ociConfig}","digest":"${A}","size":${size}},"layers":[]}`;
    expect(errorOf(() => parseManifest(enc.encode(text))).code).toBe('INVALID_DESCRIPTOR');
  });

  it('rejects non-UTF-8 bytes and NaN', () => {
    const bytes = canonicalJson(manifestValue({ annotations: { a: 'x' } }));
    const broken = Uint8Array.from(bytes);
    broken[broken.indexOf(0x78)] = 0xff; // the 'x' value byte
    expect(errorOf(() => parseManifest(broken)).code).toBe('INVALID_JSON');
    expect(errorOf(() => parseManifest(enc.encode('{"schemaVersion":NaN}'))).code).toBe('INVALID_JSON');
  });
});

describe('R13: oci-layout version', () => {
  it('accepts 1.0.0 with extra fields and rejects anything else', () => {
    expect(parseOciLayoutHeader(enc.encode('{"imageLayoutVersion":"1.0.0","x":1}'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    const error = errorOf(() => parseOciLayoutHeader(enc.encode('{"imageLayoutVersion":"9.9.9"}')));
    expect(error.code).toBe('UNSUPPORTED_OCI_VERSION');
    expect(error.message).toContain('unsupported OCI version');
    expect(errorOf(() => parseOciLayoutHeader(enc.encode('{}'))).code).toBe('INVALID_LAYOUT');
    expect(errorOf(() => parseOciLayoutHeader(enc.encode('[]'))).code).toBe('INVALID_LAYOUT');
  });
});

describe('R14: config paths used as host paths', () => {
  // layerkit maps no config path to a host path: hostile values are image data, read and written
  // back byte for byte (a runtime that uses them must check them; Docker accepts relative VOLUMEs).
  it.each([
    [{ Volumes: { '/../../../../etc': {} } }],
    [{ Volumes: { data: {} } }],
    [{ WorkingDir: '../../x' }],
    [{ WorkingDir: '/app/../../x' }],
  ])('carries %j unchanged', (container) => {
    const bytes = canonicalJson(configValue({ config: container }));
    const config = parseConfig(bytes);
    expect(config.value.config).toEqual(container);
    expect(canonicalJson(config.value)).toEqual(bytes);
  });
});

describe('R15: User ids', () => {
  it('rejects ids beyond 2^32-2', () => {
    for (const user of ['4294967296:4294967296', '4294967295', '0:4294967296', '99999999999999999999']) {
      expect(errorOf(() => parseUser(user)).code).toBe('INVALID_USER');
    }
    expect(parseUser('4294967294:0')).toEqual({ user: 4294967294, group: 0 });
  });
});

describe('R18: ref names', () => {
  it.each(['../../x', '/abs', 'a//b', '', '-x', 'x.', 'a b', 'x\0'])('rejects %j', (name) => {
    expect(errorOf(() => validateRefName(name)).code).toBe('INVALID_REF_NAME');
  });
});

describe('documents: structure', () => {
  it('requires schemaVersion 2', () => {
    expect(errorOf(() => parseManifest(canonicalJson(manifestValue({ schemaVersion: 1 })))).code).toBe(
      'INVALID_MANIFEST',
    );
    expect(errorOf(() => parseIndex(canonicalJson({ manifests: [] }))).code).toBe('INVALID_INDEX');
  });

  it('requires config, layers, manifests and their types', () => {
    expect(errorOf(() => parseManifest(canonicalJson(manifestValue({ config: undefined })))).code).toBe(
      'INVALID_MANIFEST',
    );
    expect(errorOf(() => parseManifest(canonicalJson(manifestValue({ layers: undefined })))).code).toBe(
      'INVALID_MANIFEST',
    );
    expect(errorOf(() => parseManifest(canonicalJson(manifestValue({ layers: {} })))).code).toBe(
      'INVALID_MANIFEST',
    );
    expect(errorOf(() => parseIndex(canonicalJson({ schemaVersion: 2 }))).code).toBe('INVALID_INDEX');
    expect(errorOf(() => parseManifest(canonicalJson([1]))).code).toBe('INVALID_MANIFEST');
    const noType = { digest: A, size: 1 };
    expect(errorOf(() => parseManifest(canonicalJson(manifestValue({ layers: [noType] })))).code).toBe(
      'INVALID_DESCRIPTOR',
    );
    const badType = { mediaType: 'not a type', digest: A, size: 1 };
    expect(errorOf(() => parseManifest(canonicalJson(manifestValue({ layers: [badType] })))).code).toBe(
      'INVALID_DESCRIPTOR',
    );
  });

  it('treats null optional fields as absent and ignores unknown fields', () => {
    const text = `{"schemaVersion":2,"mediaType":null,"annotations":null,"extra":{"deep":[1.5]},"config":{"mediaType":"${MediaTypes.ociConfig}","digest":"${B}","size":1,"urls":null},"layers":[]}`;
    expect(parseManifest(enc.encode(text)).value).toEqual({
      schemaVersion: 2,
      config: { mediaType: MediaTypes.ociConfig, digest: B, size: 1 },
      layers: [],
    });
  });

  it('requires architecture, os and typed history entries in configs', () => {
    expect(errorOf(() => parseConfig(canonicalJson(configValue({ os: undefined })))).code).toBe(
      'INVALID_CONFIG',
    );
    expect(errorOf(() => parseConfig(canonicalJson(configValue({ rootfs: undefined })))).code).toBe(
      'INVALID_CONFIG',
    );
    const badHistory = configValue({ history: [{ created_by: 'x', empty_layer: 'yes' }] });
    expect(errorOf(() => parseConfig(canonicalJson(badHistory))).message).toContain('history[0].empty_layer');
    expect(errorOf(() => parseConfig(canonicalJson(configValue({ config: { Env: 'A=1' } })))).code).toBe(
      'INVALID_CONFIG',
    );
  });

  it('refuses to parse a config of an unknown media type', () => {
    const bytes = canonicalJson(configValue());
    const error = errorOf(() => parseConfig(bytes, descriptorOf('application/vnd.example+json', bytes)));
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(parseConfig(bytes, descriptorOf(MediaTypes.dockerConfig, bytes)).value.os).toBe('linux');
  });
});
