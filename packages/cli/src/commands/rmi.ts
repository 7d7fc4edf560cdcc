/** `layerkit rmi`: untag images, like `docker rmi`; a layout's blobs stay until `layerkit gc`. */
import { removeTags } from '@layerkit/image/node';
import type { Command } from '../command.js';
import { REGISTRY_HELP, registryFlags, registryOptionsOf } from '../flags.js';

export const rmiCommand: Command = {
  name: 'rmi',
  summary: 'Remove image tags from an OCI layout or a registry, like docker rmi',
  usage: 'layerkit rmi [OPTIONS] IMAGE [IMAGE...]',
  help: `IMAGE is a tag: oci:DIR:TAG, or docker://HOST/REPO[:TAG|@DIGEST]. In a layout the tag is
removed from index.json and the image's blobs stay until 'layerkit gc DIR'; each layout changes
all or nothing (a tag it does not hold leaves it as it was). In a registry the manifest the
tag names is deleted (with every tag naming it), where the registry allows deleting.

Options:
      --all             untag a multi-platform image (an index) for all its platforms


${REGISTRY_HELP}

Example:
  layerkit rmi oci:images:nginx:v2
  layerkit gc images`,
  flags: { all: { type: 'boolean' }, ...registryFlags },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  async run(images, flags, out, interrupted) {
    const layouts = new Set<string>();
    try {
      await removeTags(images, {
        all: flags.all === true,
        registry: registryOptionsOf(flags),
        signal: interrupted,
        onRemoved: (removed) => {
          for (const name of removed.untagged) out.line(`Untagged: ${name}`);
          if (removed.store === 'registry') out.line(`Deleted: ${removed.digest}`);
          else layouts.add(removed.location);
        },
      });
    } finally {
      for (const dir of layouts)
        out.note(`The untagged images' blobs stay in ${dir} until \`layerkit gc ${dir}\``);
    }
  },
};
