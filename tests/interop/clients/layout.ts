import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Digest } from './digest.js';

/** An OCI descriptor (the fields the harness compares). */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** One tagged image of an OCI layout, read straight from its files (the harness's own oracle). */
export interface LayoutImage {
  /** The index.json entry whose `org.opencontainers.image.ref.name` is the tag. */
  readonly descriptor: Descriptor;
  readonly manifestBytes: Buffer;
  readonly manifest: { readonly config: Descriptor; readonly layers: readonly Descriptor[] };
  readonly configBytes: Buffer;
  readonly config: {
    readonly author?: string;
    readonly rootfs: { readonly diff_ids: readonly string[] };
    readonly history?: readonly {
      readonly created?: string;
      readonly created_by?: string;
      readonly author?: string;
      readonly comment?: string;
      readonly empty_layer?: boolean;
    }[];
  };
}

/** Path of a blob inside a layout. */
export function blobPath(layoutDir: string, digest: string): string {
  const [algorithm, hex] = digest.split(':');
  if (algorithm !== 'sha256' || hex === undefined || !/^[0-9a-f]{64}$/.test(hex)) {
    throw new Error(`interop: not a sha256 digest: ${digest}`);
  }
  return join(layoutDir, 'blobs', algorithm, hex);
}

/** Reads a blob and checks it hashes to its digest. */
function readBlob(layoutDir: string, descriptor: Descriptor): Buffer {
  const bytes = readFileSync(blobPath(layoutDir, descriptor.digest));
  if (sha256Digest(bytes) !== descriptor.digest || bytes.length !== descriptor.size) {
    throw new Error(`interop: blob ${descriptor.digest} in ${layoutDir} does not match its descriptor`);
  }
  return bytes;
}

/** The image tagged `tag` in an OCI layout: descriptor, manifest and config, bytes verified. */
export function readLayoutImage(layoutDir: string, tag: string): LayoutImage {
  const index = JSON.parse(readFileSync(join(layoutDir, 'index.json'), 'utf8')) as {
    manifests: Descriptor[];
  };
  const descriptor = index.manifests.find(
    (entry) => entry.annotations?.['org.opencontainers.image.ref.name'] === tag,
  );
  if (descriptor === undefined) throw new Error(`interop: no image tagged ${tag} in ${layoutDir}/index.json`);
  const manifestBytes = readBlob(layoutDir, descriptor);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as LayoutImage['manifest'];
  const configBytes = readBlob(layoutDir, manifest.config);
  const config = JSON.parse(configBytes.toString('utf8')) as LayoutImage['config'];
  return { descriptor, manifestBytes, manifest, configBytes, config };
}
