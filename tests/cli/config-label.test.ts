/**
 * Review: `layerkit config --label KEY=VALUE` keeps VALUE verbatim (spaces, backslashes, quotes),
 * as `--env` does and as `buildah config --label` does.
 */
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import { buildCli, EPOCH, layerkit, ok, readImage, writeTree } from './cli.js';

const work = useScratchDir('cli-config-label');
let layout: string;
const env = { SOURCE_DATE_EPOCH: String(EPOCH) };

beforeAll(() => {
  buildCli();
  layout = join(work.path, 'images');
  writeTree(join(work.path, 'rootfs'), { 'etc/hostname': 'base\n' });
  ok(['import', join(work.path, 'rootfs'), `oci:${layout}:base`], { env });
}, 300_000);

it('stores label values with spaces, backslashes and quotes verbatim', () => {
  const labels = ['description=a web server', 'path=C:\\srv\\www', 'quote=say "hi"'];
  ok(
    [
      'config',
      ...labels.flatMap((label) => ['--label', label]),
      `oci:${layout}:base`,
      `oci:${layout}:labelled`,
    ],
    {
      env,
    },
  );
  expect(readImage(layout, 'labelled').config.config?.Labels).toEqual({
    description: 'a web server',
    path: 'C:\\srv\\www',
    quote: 'say "hi"',
  });
});

it('rejects a label without a key as a usage error', () => {
  const run = layerkit(['config', '--label', '=x', `oci:${layout}:base`, `oci:${layout}:bad`], { env });
  expect(run.status).toBe(2);
  expect(run.stderr).toBe(
    `layerkit: config: invalid --label "=x": expected KEY=VALUE; see 'layerkit config --help'\n`,
  );
});
