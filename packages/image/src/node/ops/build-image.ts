/**
 * `build`: an image from `scratch` or any image, with layers from files in memory, a tree, a
 * directory, a tar stream or a modified root filesystem, and a config set by Dockerfile changes
 * or a typed object — written to any destination in one call (go-containerregistry's `mutate`,
 * Jib). Every layer is one history entry; config edits add one empty entry after them.
 */
import {
  diffTrees,
  type LayerEntry,
  layerEntriesFromChanges,
  type MemoryEntrySpec,
  MemoryTree,
  pathFromUtf8,
  type Tree,
} from '@layerkit/diff';
import { treeAt } from '@layerkit/diff/internal';
import { directoryTree } from '@layerkit/diff/node';
import { type Digest, type LayerBlob, LayerkitError } from '@layerkit/digest';
import type { Descriptor, ImageConfig } from '../../oci-types.js';
import type { PlatformWant } from '../../parse/platform.js';
import type { ImageSink } from '../../store/image-sink.js';
import type { ImageSource, ResolvedImage } from '../../store/image-source.js';
import { hostPlatform } from '../store/host-platform.js';
import type { OpenImageOptions } from '../store/open-image.js';
import { tarLayerBlob } from './append-layer.js';
import type { ImageRefLike } from './image-ref.js';
import {
  checkStepMetadata,
  configEditText,
  publishSteps,
  type StepLayer,
  type StepMetadata,
} from './image-step.js';
import { scratchConfig } from './import-rootfs.js';
import { type LayerOptions, layerFromDiff, writeEntriesAsLayer } from './layer-from-tree-diff.js';
import type { LayerSource } from './layer-source.js';
import { walkReporter } from './progress.js';
import { lowerTreeOf } from './rootfs-lower-tree.js';
import { withSink, withSourceImage } from './with-image.js';

/** One file of a {@link FileMap}: content and metadata, or a directory or symlink. */
export interface FileSpec {
  /** File content (UTF-8 for a string). */
  content?: string | Uint8Array | undefined;
  /** Default: `file` with content, `symlink` with a target, else `dir`. */
  type?: 'file' | 'dir' | 'symlink' | undefined;
  /** A symlink's target, as written. */
  target?: string | undefined;
  /** Permission bits (default 0o644 for files, 0o755 for directories). */
  mode?: number | undefined;
  /** Owner user ID (default 0: root). */
  uid?: number | undefined;
  /** Owner group ID (default 0: root). */
  gid?: number | undefined;
  /** Modification time in seconds (default: the build's SOURCE_DATE_EPOCH, else 0: reproducible). */
  mtime?: number | undefined;
}

/**
 * Files by path in the image (`app/run.sh` or `/app/run.sh`): a string or bytes is a file's
 * content (mode 0o644), a {@link FileSpec} says more. Missing parent directories are created
 * (0o755, root) — over an existing directory of the base they set those facts, as Jib and ko do:
 * list a directory explicitly to keep, say, `/tmp`'s sticky bit.
 */
export type FileMap = Readonly<Record<string, string | Uint8Array | FileSpec>>;

/** Where a build layer's content comes from, and the text of its history entry. */
export type BuildLayer =
  /** Files in memory, added as they are. */
  (
    | {
        /** The files, by path in the image. */
        files: FileMap;
      }
    /** Any tree (a `MemoryTree`, a directory tree …), added as it is. */
    | {
        /** The tree whose entries become the layer's. */
        tree: Tree;
      }
    /** A directory's contents, added under `at` (default: the root), as `COPY dir /at/`. */
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
  ) & {
    /** The history entry's `created_by` (default: a description of the source). */
    createdBy?: string | undefined;
    /** The history entry's comment. */
    comment?: string | undefined;
  };

/** Options of {@link build}. */
export interface BuildOptions
  extends OpenImageOptions,
    Omit<StepMetadata, 'createdBy' | 'comment'>,
    Pick<LayerOptions, 'compression' | 'level' | 'mode' | 'onWarning' | 'onProgress'> {
  /** The image to build on (a reference), or `'scratch'` (the default): nothing. */
  base?: ImageRefLike | undefined;
  /** A scratch image's platform (default: the host's); the platform picked from a multi-platform base. */
  platform?: PlatformWant | undefined;
  /** The layers to add, bottom first. */
  layers?: readonly BuildLayer[] | undefined;
  /** Where the image goes. */
  dest: ImageRefLike;
}

/** What {@link build} made. */
export interface BuildResult {
  /** The image ID: the digest of the config. */
  imageId: Digest;
  /** The manifest descriptor the destination's tag points at. */
  manifest: Descriptor;
  /** Each added layer, in order (undefined where a layer turned out empty and was left out). */
  layers: (LayerBlob | undefined)[];
}

const SCRATCH = 'scratch';

/** `/app/x` → `app/x` (still UTF-8 text); refuses paths that leave the root. */
function imagePath(path: string): string {
  const cleaned = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (cleaned === '' || cleaned.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new LayerkitError('INVALID_PATH', `invalid path in the image ${JSON.stringify(path)}`, { path });
  }
  return cleaned;
}

function fileMapTree(files: FileMap, mtimeNs: bigint): MemoryTree {
  const specs = Object.entries(files).map(([path, value]): MemoryEntrySpec => {
    const spec: FileSpec =
      typeof value === 'string' || value instanceof Uint8Array ? { content: value } : value;
    const entry: MemoryEntrySpec = { path: imagePath(path) };
    if (spec.type !== undefined) entry.type = spec.type;
    if (spec.content !== undefined) entry.content = spec.content;
    if (spec.target !== undefined) entry.linkTarget = spec.target;
    if (spec.mode !== undefined) entry.mode = spec.mode;
    if (spec.uid !== undefined) entry.uid = spec.uid;
    if (spec.gid !== undefined) entry.gid = spec.gid;
    if (spec.mtime !== undefined) entry.mtimeNs = BigInt(Math.trunc(spec.mtime)) * 1_000_000_000n;
    return entry;
  });
  return MemoryTree.fromSpecs(specs, { mtimeNs });
}

/** Every entry of `tree`, to be added as it is (a diff against nothing). */
function addedEntries(tree: Tree): AsyncIterable<LayerEntry> {
  return layerEntriesFromChanges(diffTrees(MemoryTree.fromEntries([]), tree));
}

function describe(layer: BuildLayer): string {
  if ('files' in layer) return `COPY ${Object.keys(layer.files).length} files`;
  if ('tree' in layer) return 'COPY tree';
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
  const mtimeNs = BigInt(options.sourceDateEpoch ?? 0) * 1_000_000_000n;
  if ('files' in layer)
    return writeEntriesAsLayer(addedEntries(fileMapTree(layer.files, mtimeNs)), sink.blobs, options);
  if ('tree' in layer) return writeEntriesAsLayer(addedEntries(layer.tree), sink.blobs, options);
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
      mtimeNs,
    });
    return writeEntriesAsLayer(addedEntries(tree), sink.blobs, options);
  }
  const upper = directoryTree(layer.rootfs, {
    onWarning: options.onWarning,
    onEntries: walkReporter(options),
  });
  if (base.source === undefined || base.image === undefined) {
    return layerFromDiff(MemoryTree.fromEntries([]), upper, sink.blobs, options);
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
      const blobs: (LayerBlob | undefined)[] = [];
      const steps: StepLayer[] = [];
      for (const layer of layers) {
        const blob = await writeBuildLayer(layer, sink, base, options);
        blobs.push(blob);
        steps.push({ layer: blob, createdBy: layer.createdBy ?? describe(layer), comment: layer.comment });
      }
      const edit = configEditText(options);
      if (edit !== undefined) steps.push({ layer: undefined, createdBy: edit });
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
