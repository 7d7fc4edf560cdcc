/** `layerkit mount` / `layerkit umount`: an image's root filesystem as an overlayfs mount. */
import { mountImage, unmountImage } from '@layerkit/image/node';
import type { Command } from '../command.js';
import {
  platformFlag,
  platformOf,
  REGISTRY_HELP,
  registryFlags,
  registryOptionsOf,
  stringFlag,
} from '../flags.js';
import { progressOf } from '../progress.js';

export const mountCommand: Command = {
  name: 'mount',
  summary: "Mount an image's root filesystem with overlayfs (layers cached, changes in an upperdir)",
  usage: 'layerkit mount [OPTIONS] IMAGE DIR',
  help: `DIR is created when missing and must be empty. The image's layers are extracted once
into the layer cache (one directory per layer DiffID, shared by every image) and mounted as
overlayfs lower layers with a fresh upper directory, kept beside DIR (.DIR.layerkit-mount/):
a second mount of an image whose layers are cached extracts nothing. Everything changed under
DIR lands in the upper directory, so 'layerkit commit IMAGE DIR DEST' reads only that and
costs what the change costs, whatever the image's size. Undo with 'layerkit umount DIR'.

Needs root, or a user namespace that may mount overlayfs ('unshare -Urm', Linux 5.11+);
otherwise it fails with NEEDS_ROOT ('layerkit unpack' works everywhere).

Options:
      --cache string      the layer cache (default $LAYERKIT_CACHE, $XDG_CACHE_HOME/layerkit
                          or ~/.cache/layerkit)
      --no-devices        do not create device nodes and FIFOs in extracted layers
      --platform string   os/arch[/variant] of a multi-platform image


${REGISTRY_HELP}

Example:
  layerkit mount oci:images:nginx ./webserver`,
  flags: {
    cache: { type: 'string' },
    'no-devices': { type: 'boolean' },
    ...platformFlag,
    ...registryFlags,
  },
  positionals: { min: 2, max: 2 },
  async run([image, dir], flags, out) {
    await mountImage(image!, dir!, {
      platform: platformOf(flags),
      cache: stringFlag(flags, 'cache'),
      devices: flags['no-devices'] === true ? false : undefined,
      onProgress: progressOf(out),
      onWarning: (warning) => out.warn(warning),
      registry: registryOptionsOf(flags),
    });
  },
};

export const umountCommand: Command = {
  name: 'umount',
  summary: "Unmount an image mounted by 'layerkit mount' and discard its changes",
  usage: 'layerkit umount DIR',
  help: `Unmounts DIR and removes its state (.DIR.layerkit-mount/), the upper directory with it:
commit first to keep the changes. DIR stays, empty. The cached layers stay for the next mount.

Example:
  layerkit umount ./webserver`,
  flags: {},
  positionals: { min: 1, max: 1 },
  async run([dir]) {
    await unmountImage(dir!);
  },
};
