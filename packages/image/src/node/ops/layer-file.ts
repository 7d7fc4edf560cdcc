/**
 * `writeLayerFile`: just the layer — the difference between two directories as one compressed
 * layer blob in a file, for build tools that assemble images themselves.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { MemoryTree } from '@layerkit/diff';
import { directoryTree } from '@layerkit/diff/node';
import { type BlobRef, hashingBlobWriter, type LayerBlob } from '@layerkit/digest';
import { createNativeSha256 } from '@layerkit/digest/node';
import { type LayerOptions, type LayerStore, layerFromDiff } from './layer-from-tree-diff.js';
import { walkReporter } from './progress.js';

/** A one-blob store whose only blob is `file` (written to a temp file, renamed on commit). */
function singleFileStore(file: string): LayerStore {
  return {
    writer() {
      const temporary = `${file}.tmp-${process.pid}`;
      const fd = openSync(temporary, 'w', 0o644);
      let open = true;
      const close = () => {
        if (open) closeSync(fd);
        open = false;
      };
      return hashingBlobWriter(
        {
          write: (chunk) => {
            writeSync(fd, chunk);
          },
          publish: (_ref: BlobRef) => {
            fsyncSync(fd);
            close();
            renameSync(temporary, file);
          },
          discard: () => {
            close();
            rmSync(temporary, { force: true });
          },
        },
        createNativeSha256,
      );
    },
  };
}

/**
 * Writes the layer that turns `lowerDir` into `upperDir` (or the whole of `upperDir` when
 * `lowerDir` is undefined) to `file`. Returns undefined, writing nothing, when they are equal.
 */
export async function writeLayerFile(
  lowerDir: string | undefined,
  upperDir: string,
  file: string,
  options: LayerOptions = {},
): Promise<LayerBlob | undefined> {
  const onEntries = walkReporter(options);
  const lower = lowerDir === undefined ? MemoryTree.fromEntries([]) : directoryTree(lowerDir, { onEntries });
  return layerFromDiff(lower, directoryTree(upperDir, { onEntries }), singleFileStore(file), options);
}
