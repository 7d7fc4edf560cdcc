/**
 * A one-layer OCI layout made with GNU tar, pigz and sha256sum alone, for inputs too big for
 * `umoci repack` (on the 1M-file tree it grew past 1.8 GB RSS and was stopped after 10 minutes):
 * neither tool under test writes the image it starts from.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bash, commandLine } from './shell.mjs';

/** Writes `bytes` as a blob of `layout`; returns its descriptor fields. */
function putBlob(layout, bytes) {
  const hex = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(join(layout, 'blobs', 'sha256', hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}

/** The sha256 of a file, by sha256sum (the file is larger than a Buffer may hold). */
function sha256File(path) {
  return bash(`sha256sum ${commandLine([path])}`).split(' ')[0];
}

/**
 * The layout `<cache>/images/<name>` holding tag `base`: `input.dir` as one gzip layer (sorted,
 * numeric ids, PAX, atime/ctime dropped), its config and manifest. Cached like the umoci-made ones.
 * @param {string} cache
 * @param {import('./inputs.mjs').Input} input
 * @returns {string}
 */
export function prepareTarBaseImage(cache, input) {
  const layout = join(cache, 'images', input.name);
  const marker = `${layout}.json`;
  if (existsSync(marker) && existsSync(layout)) return layout;
  rmSync(layout, { recursive: true, force: true });
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  process.stderr.write(`bench: building base image ${layout} with tar | pigz\n`);
  const tar = join(layout, 'layer.tar');
  bash(
    `tar --sort=name --numeric-owner --format=pax --pax-option=delete=atime,delete=ctime -C ${commandLine([input.dir])} -cf ${commandLine([tar])} .`,
  );
  const diffId = `sha256:${sha256File(tar)}`;
  bash(`pigz -n -6 ${commandLine([tar])}`);
  const gzHex = sha256File(`${tar}.gz`);
  const size = Number(bash(`stat -c %s ${commandLine([`${tar}.gz`])}`).trim());
  renameSync(`${tar}.gz`, join(layout, 'blobs', 'sha256', gzHex));
  const config = putBlob(
    layout,
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {},
        rootfs: { type: 'layers', diff_ids: [diffId] },
        created: '1970-01-01T00:00:00Z',
        history: [{ created: '1970-01-01T00:00:00Z', created_by: 'bench: tar | pigz' }],
      }),
    ),
  );
  const manifest = putBlob(
    layout,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [
          { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${gzHex}`, size },
        ],
      }),
    ),
  );
  writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': 'base' },
        },
      ],
    }),
  );
  writeFileSync(
    marker,
    `${JSON.stringify({ input: input.name, tags: ['base'], builtWith: 'tar | pigz' })}\n`,
  );
  return layout;
}
