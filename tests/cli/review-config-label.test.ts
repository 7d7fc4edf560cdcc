/**
 * Review: `layerkit config --label KEY=VALUE` keeps VALUE verbatim (spaces, backslashes, quotes),
 * as `--env` does and as `buildah config --label` does.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildCli, EPOCH, layerkit, ok, readImage, scratch, writeTree } from './cli.js';

let work: ReturnType<typeof scratch>;
let layout: string;
const env = { SOURCE_DATE_EPOCH: String(EPOCH) };

beforeAll(() => {
  buildCli();
  work = scratch('review-label');
  layout = join(work.dir, 'images');
  writeTree(join(work.dir, 'rootfs'), { 'etc/hostname': 'base\n' });
  ok(['import', join(work.dir, 'rootfs'), `oci:${layout}:base`], { env });
}, 300_000);

afterAll(() => work.dispose());

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
