/**
 * `docker image ls` rendering (renderImagesTable, renderImagesJson) as goldens: the table laid out
 * by docker's tabwriter (long repository names and tags widen their columns and are never cut;
 * IDs are truncated to 12 unless `noTrunc`), `<none>` for untagged images, N/A for a config
 * without a creation time, `-q`, the PLATFORM column of multi-platform tags, JSON in Go's key
 * order and escaping, and hostile names sanitized (R17). The golden files are this directory's
 * `*.golden` (see CONTRIBUTING.md, "Golden files").
 */
import {
  type ImageListRow,
  type RenderImagesOptions,
  renderImagesJson,
  renderImagesTable,
} from '@layerkit/history';
import { describe, expect, it } from 'vitest';

const NOW = new Date('2026-08-20T12:00:00Z');
const options: RenderImagesOptions = { now: NOW };

const ID_V2 = 'sha256:09f6a8e4d6e1a3b1d3c4e5f60718293a4b5c6d7e8f9012345678901234567890';
const ID_BASE = 'sha256:cc1f0f783bd32a46d77aa088c1a619fbf069829f7e60dd8967ab085e63464663';
const ID_OLD = 'sha256:4a886c5d10bae6f14cbb2518fd7566605e7af43c52b1e23e26f4fb2d3eea1d14';
const DIGEST = 'sha256:a91841f8eb224aeac82cba815072b28982f0592fa3470cc1ad94e7dd58e7f172';

/** A row: name, image ID, `created` (undefined: none), size, and the optional fields. */
const row = (
  name: string,
  id: string,
  created: string | undefined,
  size: number,
  extra: Partial<ImageListRow> = {},
): ImageListRow => {
  const colon = name.lastIndexOf(':');
  const listed: ImageListRow = {
    repository: name.slice(0, colon),
    tag: name.slice(colon + 1),
    id,
    size,
    ...extra,
  };
  if (created !== undefined) listed.created = created;
  return listed;
};

/** The demo's layout after the commit, with an untagged image left by a moved tag. */
const seed: ImageListRow[] = [
  row('nginx:v2', ID_V2, '2026-08-20T11:59:59Z', 87_912, { digest: DIGEST }),
  row('nginx:latest', ID_BASE, '2024-01-01T00:00:00Z', 87_612),
  row('<none>:<none>', ID_OLD, '2024-01-01T00:00:00Z', 999_999),
];

/** Names far wider than the columns' minimum, a config without `created`, sizes in every unit. */
const long: ImageListRow[] = [
  row(
    'registry.example.com:5000/platform-team/services/very-long-repository-name:v1.2.3-rc.1-build.20260820.linux-amd64-with-a-very-long-suffix',
    ID_V2,
    '2026-08-19T12:00:00Z',
    1_234_567_890,
  ),
  row('a:b', ID_BASE, undefined, 0),
  row('ghcr.io/x/y:latest', ID_OLD, '2026-08-20T11:00:00.5Z', 1125),
];

/** One multi-platform tag (a row per platform) beside a single-platform one. */
const multi: ImageListRow[] = [
  row('app:v1', ID_V2, '2026-08-13T12:00:00Z', 3_000_000, { platform: 'linux/amd64' }),
  row('app:v1', ID_BASE, '2026-08-13T12:00:00Z', 2_900_000, { platform: 'linux/arm/v7' }),
  row('app:single', ID_OLD, '2026-07-20T12:00:00Z', 12),
];

/** Terminal escapes and controls in untrusted names (R17): stripped, the table stays aligned. */
const hostile: ImageListRow[] = [
  { repository: 'evil\x1b[31mred', tag: 'x\ty\r', id: ID_V2, created: 'not a time', size: 1 },
  { repository: '<none>', tag: 'a&b', id: ID_BASE, created: '2026-08-20T12:00:00Z', size: 2 },
];

describe('docker image ls table', () => {
  it('the seed layout: nginx:v2 beside nginx:latest and an untagged image', async () => {
    await expect(renderImagesTable(seed, options)).toMatchFileSnapshot('seed.golden');
  });
  it('--no-trunc', async () => {
    await expect(renderImagesTable(seed, { ...options, noTrunc: true })).toMatchFileSnapshot(
      'seed.no-trunc.golden',
    );
  });
  it('-q', async () => {
    await expect(renderImagesTable(seed, { ...options, quiet: true })).toMatchFileSnapshot(
      'seed.quiet.golden',
    );
  });
  it('-q --no-trunc', async () => {
    await expect(renderImagesTable(seed, { ...options, quiet: true, noTrunc: true })).toMatchFileSnapshot(
      'seed.quiet-no-trunc.golden',
    );
  });
  it('long repository names and tags widen their columns and are never cut', async () => {
    await expect(renderImagesTable(long, options)).toMatchFileSnapshot('long-names.golden');
  });
  it('long names with --no-trunc', async () => {
    await expect(renderImagesTable(long, { ...options, noTrunc: true })).toMatchFileSnapshot(
      'long-names.no-trunc.golden',
    );
  });
  it('a PLATFORM column after SIZE when a tag is multi-platform', async () => {
    await expect(renderImagesTable(multi, options)).toMatchFileSnapshot('multi-platform.golden');
  });
  it('hostile names are sanitized', async () => {
    await expect(renderImagesTable(hostile, options)).toMatchFileSnapshot('hostile.golden');
  });
  it('no rows: the header alone; -q: nothing', () => {
    expect(renderImagesTable([], options)).toBe('REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n');
    expect(renderImagesTable([], { ...options, quiet: true })).toBe('');
  });
});

describe('docker image ls --format json', () => {
  it('the seed layout', async () => {
    await expect(renderImagesJson(seed, options)).toMatchFileSnapshot('seed.json.golden');
  });
  it('--no-trunc, a platform, hostile names', async () => {
    await expect(
      renderImagesJson([...multi.slice(0, 1), ...hostile], { ...options, noTrunc: true }),
    ).toMatchFileSnapshot('mixed.no-trunc.json.golden');
  });
});
