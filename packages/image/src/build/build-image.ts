/**
 * `buildImage`: the portable build — an image from `scratch` with layers from files in memory or
 * any tree, a config set by Dockerfile changes or a typed object, and history, published into
 * any {@link ImageSink} (a {@link MemoryOciArchive} in a browser). No file system, no `node:`:
 * with the same inputs and the portable deflate it gives the digests `build` gives in Node.
 */
import type { Tree } from '@layerkit/diff';
import {
  type CompressionName,
  type Digest,
  type DigestRuntime,
  type LayerBlob,
  portableRuntime,
} from '@layerkit/digest';
import type { Descriptor } from '../oci-types.js';
import type { PlatformWant } from '../parse/platform.js';
import type { ImageSink } from '../store/image-sink.js';
import { writeEntriesLayer } from './entries-layer.js';
import { addedEntries, type FileMap, fileMapTree } from './file-map.js';
import {
  checkStepMetadata,
  childDocuments,
  configEditText,
  type StepLayer,
  type StepMetadata,
} from './image-steps.js';
import { scratchConfig } from './scratch-config.js';

/** What every build layer may say about its history entry. */
export interface LayerHistoryText {
  /** The history entry's `created_by` (default: a description of the source). */
  createdBy?: string | undefined;
  /** The history entry's comment. */
  comment?: string | undefined;
}

/** A layer whose content is in memory: files, or any tree, added as they are. */
export type MemoryLayer = (
  | {
      /** The files, by path in the image. */
      files: FileMap;
    }
  | {
      /** The tree whose entries become the layer's. */
      tree: Tree;
    }
) &
  LayerHistoryText;

/** What a build made. */
export interface BuildResult {
  /** The image ID: the digest of the config. */
  imageId: Digest;
  /** The manifest descriptor the destination's tag points at. */
  manifest: Descriptor;
  /** Each added layer, in order (undefined where a layer turned out empty and was left out). */
  layers: (LayerBlob | undefined)[];
}

/** Options of {@link buildImage}. */
export interface BuildImageOptions extends Omit<StepMetadata, 'createdBy' | 'comment'> {
  /** Where the image goes (layer blobs first, then config and manifest); the caller closes it. */
  sink: ImageSink;
  /** The tag to publish under (default: the sink's own). */
  tag?: string | undefined;
  /** The platform recorded in the config (default `linux/amd64`: a browser has no host platform to give). */
  platform?: PlatformWant | undefined;
  /** The layers to add, bottom first. */
  layers?: readonly MemoryLayer[] | undefined;
  /** The layer blobs' compression (default `gzip`). */
  compression?: CompressionName | undefined;
  /** Codec level (gzip 1–9, default 6). */
  level?: number | undefined;
  /**
   * Hashing and codecs (default `portableRuntime`: fflate gzip, the portable deflate). In Node,
   * `withPortableDeflate(nodeRuntime)` gives the same bytes faster hashed.
   */
  runtime?: DigestRuntime | undefined;
  /** Entries that cannot be represented. */
  onWarning?: ((message: string) => void) | undefined;
}

const DEFAULT_PLATFORM: PlatformWant = { os: 'linux', architecture: 'amd64' };

/** A description of a memory layer for its history entry (`COPY 3 files`). */
export function describeMemoryLayer(layer: MemoryLayer): string {
  return 'files' in layer ? `COPY ${Object.keys(layer.files).length} files` : 'COPY tree';
}

/** The tree a memory layer adds; files without an mtime get `sourceDateEpoch` (else 0). */
export function memoryLayerTree(layer: MemoryLayer, sourceDateEpoch: number | undefined): Tree {
  return 'files' in layer
    ? fileMapTree(layer.files, BigInt(sourceDateEpoch ?? 0) * 1_000_000_000n)
    : layer.tree;
}

/**
 * Writes each layer in order with `write` and returns one step per layer (its history text) and,
 * when `changes` or `config` edit the config, one empty step after them.
 */
export async function layerSteps<L extends LayerHistoryText>(
  layers: readonly L[],
  metadata: Pick<StepMetadata, 'changes' | 'config'>,
  write: (layer: L) => Promise<LayerBlob | undefined>,
  describe: (layer: L) => string,
): Promise<{ steps: StepLayer[]; blobs: (LayerBlob | undefined)[] }> {
  const blobs: (LayerBlob | undefined)[] = [];
  const steps: StepLayer[] = [];
  for (const layer of layers) {
    const blob = await write(layer);
    blobs.push(blob);
    steps.push({ layer: blob, createdBy: layer.createdBy ?? describe(layer), comment: layer.comment });
  }
  const edit = configEditText(metadata);
  if (edit !== undefined) steps.push({ layer: undefined, createdBy: edit });
  return { steps, blobs };
}

/**
 * Builds an image from `scratch` into `options.sink`: the layers in order (one history entry
 * each), then the config `changes` and `config` (one empty entry). Publishes it (the tag last)
 * but does not close the sink.
 * @throws LayerkitError `INVALID_CHANGE`, `INVALID_CONFIG`, `INVALID_SOURCE_DATE_EPOCH` before any
 * work; `INVALID_PATH` for a file path that leaves the root.
 */
export async function buildImage(options: BuildImageOptions): Promise<BuildResult> {
  checkStepMetadata(options);
  const runtime = options.runtime ?? portableRuntime;
  const { steps, blobs } = await layerSteps(
    options.layers ?? [],
    options,
    (layer) =>
      writeEntriesLayer(addedEntries(memoryLayerTree(layer, options.sourceDateEpoch)), options.sink.blobs, {
        compression: options.compression,
        level: options.level,
        sourceDateEpoch: options.sourceDateEpoch,
        onWarning: options.onWarning,
        runtime,
      }),
    describeMemoryLayer,
  );
  const base = { config: scratchConfig(options.platform ?? DEFAULT_PLATFORM), layers: [] };
  const { config, manifest } = childDocuments(base, steps, options, runtime.sha256);
  const descriptor = await options.sink.publish({ manifest, config }, { tag: options.tag });
  return { imageId: config.digest, manifest: descriptor, layers: blobs };
}
