import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { ImageSource } from '@layerkit/image';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDockerArchiveSource } from '../../../../packages/image/src/node/store/docker-archive-source.js';
import { openDockerArchiveSink } from '../../../../packages/image/src/node/store/docker-archive-store.js';
import {
  openOciArchiveSink,
  openOciArchiveSource,
} from '../../../../packages/image/src/node/store/oci-archive-store.js';
import {
  openLayoutSink,
  openLayoutSource,
} from '../../../../packages/image/src/node/store/oci-layout-store.js';
import { useScratchDir } from '../../../fixtures/scratch.js';
import { type TinyImage, tinyImage, writeTiny } from '../tiny-image.js';

/** Runs a real client; a non-zero exit fails the test with the client's own words. */
function run(tool: string, args: string[]): string {
  try {
    return execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${tool} ${args.join(' ')} failed:\n${stderr ?? ''}${stdout ?? ''}`);
  }
}

const skopeo = (...args: string[]) => run('skopeo', ['--insecure-policy', ...args]);
const inspect = (ref: string) =>
  JSON.parse(skopeo('inspect', ref)) as { Digest: string; Layers: string[]; RepoTags: string[] };

const tmp = useScratchDir('store-interop');
let tiny: TinyImage;
let layout: string;
let ociArchive: string;
let dockerArchive: string;

beforeAll(async () => {
  tiny = await tinyImage({ 'etc/hello.txt': 'hello from layerkit\n' });
  layout = join(tmp.path, 'layout');
  await writeTiny(await openLayoutSink(layout, 'v1'), tiny);
  ociArchive = join(tmp.path, 'image-oci.tar');
  const oci = openOciArchiveSink(ociArchive, 'example.com/tiny:v1');
  await writeTiny(oci, tiny);
  await oci.close();
  dockerArchive = join(tmp.path, 'image-docker.tar');
  const docker = openDockerArchiveSink(dockerArchive, 'example.com/tiny:v1');
  await writeTiny(docker, tiny);
  await docker.close();
});

describe('real clients accept what layerkit writes', () => {
  it('skopeo inspects each format and sees our manifest', () => {
    expect(inspect(`oci:${layout}:v1`).Digest).toBe(tiny.manifest.digest);
    expect(inspect(`oci-archive:${ociArchive}`).Digest).toBe(tiny.manifest.digest);
    // skopeo builds a schema2 manifest from manifest.json (so its digest differs) and lists the
    // layers by DiffID; the name selects the image through RepoTags.
    expect(inspect(`docker-archive:${dockerArchive}`).Layers).toEqual([tiny.layer.diffID]);
    expect(inspect(`docker-archive:${dockerArchive}:example.com/tiny:v1`).Layers).toEqual([
      tiny.layer.diffID,
    ]);
    expect(() => skopeo('inspect', `docker-archive:${dockerArchive}:example.com/other:v1`)).toThrow(
      /example.com\/other/,
    );
  });

  it('skopeo copies each format (re-verifying every blob)', () => {
    for (const [index, source] of [
      `oci:${layout}:v1`,
      `oci-archive:${ociArchive}`,
      `docker-archive:${dockerArchive}`,
    ].entries()) {
      skopeo('copy', source, `oci:${join(tmp.path, `copy-${index}`)}:copied`);
    }
  });

  it('umoci lists and stats the layout', () => {
    expect(run('umoci', ['ls', '--layout', layout]).trim()).toBe('v1');
    const stat = JSON.parse(run('umoci', ['stat', '--json', '--image', `${layout}:v1`])) as {
      history: unknown[];
    };
    expect(stat.history).toHaveLength(1);
  });

  it('oci-image-tool validates the layout', () => {
    expect(run('oci-image-tool', ['validate', '--type', 'image', '--ref', 'name=v1', layout])).toContain(
      'Validation succeeded',
    );
  });
});

describe('layerkit reads what skopeo writes', () => {
  async function check(source: ImageSource, manifestDigest?: string) {
    const image = await source.resolve();
    expect(image.config.digest).toBe(tiny.config.digest);
    if (manifestDigest !== undefined) expect(image.manifestDescriptor.digest).toBe(manifestDigest);
    for (const layer of image.manifest.value.layers) {
      for await (const _ of source.blobs.stream(layer));
    }
    await source.close();
  }

  it('oci:, oci-archive: and docker-archive: written by skopeo', async () => {
    const out = join(tmp.path, 'from-skopeo');
    skopeo('copy', `oci:${layout}:v1`, `oci:${out}:t`);
    skopeo('copy', `oci:${layout}:v1`, `oci-archive:${out}.oci.tar:example.com/t:1`);
    skopeo('copy', `oci:${layout}:v1`, `docker-archive:${out}.docker.tar:example.com/t:1`);
    await check(await openLayoutSource(out), tiny.manifest.digest);
    await check(await openOciArchiveSource(`${out}.oci.tar`), tiny.manifest.digest);
    // skopeo's docker-archive is the classic format: no index.json, a synthesized manifest.
    await check(await openDockerArchiveSource(`${out}.docker.tar`));
  });
});
