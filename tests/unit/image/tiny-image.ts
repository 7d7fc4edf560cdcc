import {
  type CompressionName,
  isLayerkitError,
  type LayerBlob,
  type LayerkitError,
  MemoryBlobStore,
  writeLayerBlob,
} from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import { type ImageConfig, type ImageManifest, MediaTypes } from '@layerkit/image';
import { pack } from 'tar-stream';
import { expect } from 'vitest';
import { encodeDocument } from '../../../packages/image/src/json/raw.js';
import type { ImageSink, ImageToPublish } from '../../../packages/image/src/store/image-sink.js';

/** A one-layer image built in memory: a hand-made tar, gzip, canonical config and manifest. */
export interface TinyImage extends ImageToPublish {
  layer: LayerBlob;
  layerBytes: Uint8Array;
}

/** A tar holding one file, made with tar-stream (an independent writer). */
export async function tarOf(files: Record<string, string>): Promise<Uint8Array> {
  const archive = pack();
  for (const [name, content] of Object.entries(files))
    archive.entry({ name, mtime: new Date(0), mode: 0o644 }, content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/** Builds a tiny image whose layer holds `files`. */
export async function tinyImage(
  files: Record<string, string> = { 'hello.txt': 'hello\n' },
  compression: CompressionName = 'gzip',
): Promise<TinyImage> {
  const store = new MemoryBlobStore(nodeRuntime);
  const tar = await tarOf(files);
  const layer = await writeLayerBlob(
    (async function* () {
      yield tar;
    })(),
    { store, compression, runtime: nodeRuntime },
  );
  const config = encodeDocument<ImageConfig>(
    {
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: [layer.diffID] },
      history: [{ created_by: 'tiny', created: '2026-01-01T00:00:00Z' }],
    },
    { hasher: nodeRuntime.sha256 },
  );
  const manifest = encodeDocument<ImageManifest>(
    {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: config.digest, size: config.bytes.length },
      layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }],
    },
    { hasher: nodeRuntime.sha256 },
  );
  return { manifest, config, layer, layerBytes: await store.get(layer) };
}

/** Stores the image's layer (streamed writer) and publishes it. */
export async function writeTiny(sink: ImageSink, image: TinyImage, tag?: string) {
  const writer = sink.blobs.writer();
  await writer.write(image.layerBytes);
  await writer.commit(image.layer);
  return sink.publish(image, { tag });
}

/** Awaits `promise` and returns the LayerkitError it rejects with; fails otherwise. */
export async function rejectionOf(promise: Promise<unknown>): Promise<LayerkitError> {
  try {
    await promise;
  } catch (error) {
    if (isLayerkitError(error)) return error;
    throw error;
  }
  return expect.fail('expected a LayerkitError');
}
