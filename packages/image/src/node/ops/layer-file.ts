/**
 * `writeLayerFile`: just the layer — the difference between two directories as one compressed
 * layer blob in a file, for build tools that assemble images themselves.
 */
import { directoryTree } from '@layerkit/diff/node';
import { hashingBlobWriter, type LayerBlob } from '@layerkit/digest';
import { checkSourceDateEpoch } from '@layerkit/digest/internal';
import { AtomicFileWriter, removeStaleTemporariesOf } from '@layerkit/digest/internal/node';
import { createNativeSha256 } from '@layerkit/digest/node';
import { type LayerOptions, type LayerStore, layerFromDiff } from './layer-from-tree-diff.js';
import { walkReporter } from './progress.js';

/** A one-blob store whose only blob is `file` (written under a temporary name, renamed on commit). */
function singleFileStore(file: string): LayerStore {
  return {
    writer() {
      removeStaleTemporariesOf(file); // what a killed earlier run left beside `file`
      const temporary = new AtomicFileWriter(file);
      return hashingBlobWriter(
        {
          write: (chunk) => temporary.write(chunk),
          publish: () => temporary.commit(),
          discard: () => temporary.abort(),
        },
        createNativeSha256,
      );
    },
  };
}

/**
 * Writes the layer that turns `lowerDir` into `upperDir` (or the whole of `upperDir` when
 * `lowerDir` is undefined) to `file`. Returns undefined, writing nothing, when they are equal.
 * A bad `options.sourceDateEpoch` fails before anything is read or written.
 */
export async function writeLayerFile(
  lowerDir: string | undefined,
  upperDir: string,
  file: string,
  options: LayerOptions = {},
): Promise<LayerBlob | undefined> {
  if (options.sourceDateEpoch !== undefined) checkSourceDateEpoch(options.sourceDateEpoch);
  const onEntries = walkReporter(options);
  const lower = lowerDir === undefined ? undefined : directoryTree(lowerDir, { onEntries });
  return layerFromDiff(lower, directoryTree(upperDir, { onEntries }), singleFileStore(file), options);
}
