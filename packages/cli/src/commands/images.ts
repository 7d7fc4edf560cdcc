/** `layerkit images` (alias `ls`): the images of a store, like `docker image ls`. */
import { renderImagesJson, renderImagesTable } from '@layerkit/image';
import { listImages } from '@layerkit/image/node';
import type { Command } from '../command.js';
import { REGISTRY_HELP, registryFlags, registryOptionsOf, stringFlag } from '../flags.js';
import { UsageError } from '../usage-error.js';

export const imagesCommand: Command = {
  name: 'images',
  aliases: ['ls'],
  summary: 'List the images of a layout, an archive or a registry repository, like docker image ls',
  usage: 'layerkit images [OPTIONS] LOCATION [REPOSITORY[:TAG]]',
  help: `LOCATION is a store: oci:DIR, oci-archive:FILE, docker-archive:FILE or docker://HOST/REPO.
One row per tag (per platform, with a PLATFORM column, for a multi-platform tag); untagged
images show as <none>. IMAGE ID is the config digest, SIZE the sum of the layers as stored.
REPOSITORY[:TAG] keeps the images whose name matches (globs * ? [...], as docker's filter).

Options:
      --format string   table (default) or json (one JSON object per line)
      --no-trunc        don't truncate output
  -q, --quiet           only show image IDs


${REGISTRY_HELP}

Example:
  layerkit images oci:images
  layerkit images oci:images nginx
  layerkit ls -q docker://localhost:5000/app`,
  flags: {
    format: { type: 'string' },
    'no-trunc': { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    ...registryFlags,
  },
  positionals: { min: 1, max: 2 },
  async run([location, filter], flags, out, interrupted) {
    const format = stringFlag(flags, 'format') ?? 'table';
    if (format !== 'table' && format !== 'json')
      throw new UsageError(`invalid --format "${format}": expected table or json`);
    const rows = await listImages(location!, {
      filter,
      registry: registryOptionsOf(flags),
      signal: interrupted,
    });
    const options = { noTrunc: flags['no-trunc'] === true, quiet: flags.quiet === true };
    const text = format === 'json' ? renderImagesJson(rows, options) : renderImagesTable(rows, options);
    if (text !== '') out.line(text.replace(/\n$/, ''));
  },
};
