/**
 * `build`: an image from `scratch` or any image, with layers from files in memory, a tree, a
 * directory, a tar stream or a modified root filesystem, and a config set by Dockerfile changes
 * or a typed object — written to any destination in one call (go-containerregistry's `mutate`,
 * Jib). Every layer is one history entry; config edits add one empty entry after them.
 */
import { pathFromUtf8 } from '@layerkit/diff';
import { treeAt } from '@layerkit/diff/internal';
import { directoryTree } from '@layerkit/diff/node';
import { type LayerBlob, LayerkitError } from '@layerkit/digest';
import {
  type BuildResult,
  describeMemoryLayer,
  type LayerHistoryText,
  layerSteps,
  type MemoryLayer,
  memoryLayerTree,
} from '../../build/build-image.js';
import { addedEntries, imagePath } from '../../build/file-map.js';
import { scratchConfig } from '../../build/scratch-config.js';
import type { Descriptor, ImageConfig } from '../../oci-types.js';
import type { PlatformWant } from '../../parse/platform.js';
import type { ImageSink } from '../../store/image-sink.js';
import type { ImageSource, ResolvedImage } from '../../store/image-source.js';
import { hostPlatform } from '../store/host-platform.js';
import type { OpenImageOptions } from '../store/open-image.js';
import { tarLayerBlob } from './append-layer.js';
import type { ImageRefLike } from './image-ref.js';
import { checkStepMetadata, publishSteps, type StepMetadata } from './image-step.js';
import { type LayerOptions, layerFromDiff, writeEntriesAsLayer } from './layer-from-tree-diff.js';
import type { LayerSource } from './layer-source.js';
import { walkReporter } from './progress.js';
import { lowerTreeOf } from './rootfs-lower-tree.js';
import { withSink, withSourceImage } from './with-image.js';

/** Where a build layer's content comes from, and the text of its history entry. */
export type BuildLayer =
  | MemoryLayer
  /** A directory's contents, added under `at` (default: the root), as `COPY dir /at/`. */
  | ((
      | {
          /** The directory on this machine whose contents are added. */
          directory: string;
          /** The directory in the image they go under (default: the root). */
          at?: string | undefined;
        }
      /** A ready-made layer tar (plain, gzip or zstd; whiteouts honoured), read once. */
      | {
          /** The tar: a file path, its bytes, or a stream of them. */
          tar: LayerSource;
        }
      /**
       * A modified root filesystem: the difference against the base image becomes the layer, as
       * `commit` (with the unpack snapshot when the directory was unpacked from that image). Must
       * be the first layer (it is diffed against the base, not against earlier layers).
       */
      | {
          /** The root filesystem directory. */
          rootfs: string;
        }
    ) &
      LayerHistoryText);

/** Options of {@link build}. */
export interface BuildOptions
  extends OpenImageOptions,
    Omit<StepMetadata, 'createdBy' | 'comment'>,
    Pick<LayerOptions, 'compression' | 'level' | 'deflate' | 'mode' | 'onWarning' | 'onProgress'> {
  /** The image to build on (a reference), or `'scratch'` (the default): nothing. */
  base?: ImageRefLike | undefined;
  /** A scratch image's platform (default: the host's); the platform picked from a multi-platform base. */
  platform?: PlatformWant | undefined;
  /** The layers to add, bottom first. */
  layers?: readonly BuildLayer[] | undefined;
  /** Where the image goes. */
  dest: ImageRefLike;
}

const SCRATCH = 'scratch';

function describe(layer: BuildLayer): string {
  if ('files' in layer || 'tree' in layer) return describeMemoryLayer(layer);
  if ('directory' in layer)
    return `COPY ${layer.directory} /${layer.at === undefined ? '' : imagePath(layer.at)}`;
  if ('tar' in layer) return `ADD ${typeof layer.tar === 'string' ? layer.tar : 'stream'}`;
  return `COMMIT ${layer.rootfs}`;
}

/** Writes one layer into the sink's blob store; undefined when it has no entries. */
async function writeBuildLayer(
  layer: BuildLayer,
  sink: ImageSink,
  base: { source?: ImageSource; image?: ResolvedImage },
  options: BuildOptions,
): Promise<LayerBlob | undefined> {
  if ('files' in layer || 'tree' in layer) {
    const tree = memoryLayerTree(layer, options.sourceDateEpoch);
    return writeEntriesAsLayer(addedEntries(tree), sink.blobs, options);
  }
  if ('tar' in layer) return tarLayerBlob(layer.tar, sink.blobs, options);
  if ('directory' in layer) {
    const at = pathFromUtf8(layer.at === undefined ? '' : imagePath(layer.at));
    const walked = directoryTree(layer.directory, {
      onWarning: options.onWarning,
      onEntries: walkReporter(options),
    });
    const tree = treeAt(walked, at, {
      mode: 0o755,
      uid: 0,
      gid: 0,
      mtimeNs: BigInt(options.sourceDateEpoch ?? 0) * 1_000_000_000n,
    });
    return writeEntriesAsLayer(addedEntries(tree), sink.blobs, options);
  }
  const upper = directoryTree(layer.rootfs, {
    onWarning: options.onWarning,
    onEntries: walkReporter(options),
  });
  if (base.source === undefined || base.image === undefined) {
    return layerFromDiff(undefined, upper, sink.blobs, options);
  }
  const lower = await lowerTreeOf(base.source, base.image, layer.rootfs);
  return layerFromDiff(lower.tree, upper, sink.blobs, {
    ...options,
    hasher: lower.hasher,
    snapshot: lower.snapshot,
  });
}

/**
 * Builds an image in `options.dest` from `options.base` (default `scratch`), the `layers` in
 * order, and the config `changes` and `config`. The destination's tag moves last; a failure
 * leaves it as it was.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  checkStepMetadata(options);
  const layers = options.layers ?? [];
  if (layers.slice(1).some((layer) => 'rootfs' in layer)) {
    throw new LayerkitError(
      'INVALID_OPTION',
      'a rootfs layer is diffed against the base image: it must be the first layer',
      { option: 'layers' },
    );
  }
  const run = async (base: {
    config: ImageConfig;
    layers: readonly Descriptor[];
    source?: ImageSource;
    image?: ResolvedImage;
  }) =>
    withSink(options.dest, options, async (sink) => {
      const { steps, blobs } = await layerSteps(
        layers,
        options,
        (layer) => writeBuildLayer(layer, sink, base, options),
        describe,
      );
      const published = await publishSteps(base, sink, steps, options);
      return { ...published, layers: blobs };
    });
  if (options.base === undefined || options.base === SCRATCH) {
    return run({ config: scratchConfig(options.platform ?? hostPlatform()), layers: [] });
  }
  return withSourceImage(options.base, options, (source, image) =>
    run({ config: image.config.value, layers: image.manifest.value.layers, source, image }),
  );
}
