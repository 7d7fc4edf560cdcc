/** `layerkit index`: a multi-platform image from single-platform ones. */
import { createIndex } from '@layerkit/image/node';
import type { Command } from '../command.js';
import { listFlag, registrySidesOf, SIDED_REGISTRY_HELP, sidedRegistryFlags } from '../flags.js';
import { progressOf } from '../progress.js';
import { UsageError } from '../usage-error.js';

/** `KEY=VALUE` pairs of a repeatable flag. */
function annotationsOf(values: readonly string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const annotations: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    if (equals <= 0) throw new UsageError(`invalid --annotation "${value}": expected KEY=VALUE`);
    annotations[value.slice(0, equals)] = value.slice(equals + 1);
  }
  return annotations;
}

export const indexCommand: Command = {
  name: 'index',
  summary: 'Make a multi-platform image: an index of images, each under the platform of its config',
  usage: 'layerkit index [OPTIONS] DEST IMAGE...',
  help: `Every IMAGE (a single-platform image, or an index whose images are all taken) is copied
into DEST first; the index, and DEST's tag with it, comes last. Two images of one platform are
refused. DEST may be a layout, an oci-archive or a registry.

Options:
      --annotation KEY=VALUE  an annotation of the index; repeatable
  -q, --quiet                 no progress output

${SIDED_REGISTRY_HELP}

Example:
  layerkit import --platform linux/amd64 ./rootfs-amd64 oci:images:app-amd64
  layerkit import --platform linux/arm64 ./rootfs-arm64 oci:images:app-arm64
  layerkit index oci:images:app oci:images:app-amd64 oci:images:app-arm64`,
  flags: {
    annotation: { type: 'string', multiple: true },
    quiet: { type: 'boolean', short: 'q' },
    ...sidedRegistryFlags,
  },
  interruptible: true,
  positionals: { min: 2, max: Number.POSITIVE_INFINITY },
  async run([dest, ...images], flags, out, interrupted) {
    const index = await createIndex({
      dest: dest!,
      images,
      annotations: annotationsOf(listFlag(flags, 'annotation')),
      onProgress: progressOf(out),
      ...registrySidesOf(flags),
      signal: interrupted,
    });
    out.line(index.digest);
  },
};
