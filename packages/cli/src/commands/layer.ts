/** `layerkit layer`: just the layer blob between two directories, with its descriptor as JSON. */
import { writeLayerFile } from '@layerkit/image/node';
import type { Command } from '../command.js';
import {
  compressionFlag,
  deflateFlag,
  layerFlags,
  levelFlag,
  modeFlag,
  sourceDateEpoch,
  stringFlag,
} from '../flags.js';
import { progressOf } from '../progress.js';
import { UsageError } from '../usage-error.js';

export const layerCommand: Command = {
  name: 'layer',
  summary: 'Write the layer between two directories to a file and print its descriptor',
  usage: 'layerkit layer [OPTIONS] [DIR_A] DIR_B -o FILE',
  help: `With one directory, the layer holds all of it. Prints {"mediaType","digest","size","diffID","uncompressedSize"}.

Options:
  -o, --output string        the layer file to write (required)
      --compression string   gzip (default), none or zstd
      --deflate string       gzip's compressor: native (default, fastest) or portable (fflate:
                             the same layer bytes, so digests, as a browser build)
      --level int            gzip level 1-9 (default 6), zstd 1-19 (default 3)
      --mode string          change detection: auto (default), metadata or content
  -q, --quiet                no progress output

Example:
  layerkit layer ./before ./after -o layer.tar.gz`,
  flags: { output: { type: 'string', short: 'o' }, ...layerFlags },
  interruptible: true,
  positionals: { min: 1, max: 2 },
  async run(args, flags, out, interrupted) {
    const file = stringFlag(flags, 'output');
    if (file === undefined) throw new UsageError('-o FILE is required');
    const [lower, upper] = args.length === 2 ? [args[0], args[1]!] : [undefined, args[0]!];
    const blob = await writeLayerFile(lower, upper, file, {
      compression: compressionFlag(flags),
      deflate: deflateFlag(flags),
      level: levelFlag(flags, compressionFlag(flags)),
      mode: modeFlag(flags),
      sourceDateEpoch: sourceDateEpoch(),
      onProgress: progressOf(out),
      signal: interrupted,
    });
    if (blob === undefined) throw new Error('the directories are identical: no layer written');
    const { mediaType, digest, size, diffID, uncompressedSize } = blob;
    out.line(JSON.stringify({ mediaType, digest, size, diffID, uncompressedSize }));
  },
};
