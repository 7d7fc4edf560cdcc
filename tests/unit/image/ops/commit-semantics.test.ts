/**
 * `commit` semantics against `docker commit` (docs/design.md#compat-commit): what lands in the config,
 * the history entry and the manifest, for plain, empty and squashed commits, and how a base
 * whose history does not pair with its layers is repaired.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapHistoryToLayers } from '@layerkit/history';
import { type CommitOptions, commit, unpack } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import { REPAIRED_HISTORY_COMMENT } from '../../../../packages/image/src/build/align-history.js';
import {
  BASE_TREE,
  EPOCH,
  EPOCH_TEXT,
  editTree,
  readTagged,
  rewriteImage,
  treeFacts,
  useBaseLayout,
  writeTree,
} from '../../../fixtures/image-ops.js';

const ctx = useBaseLayout();

/** A rootfs equal to the base image's, edited by `edit`. */
function rootfsOf(edit: (root: string) => void): string {
  const rootfs = join(ctx.dir, 'rootfs');
  writeTree(rootfs, BASE_TREE);
  edit(rootfs);
  return rootfs;
}

/** No edit: the rootfs stays equal to the base image's. */
const leaveAsIs = () => {};

/** Commits the base tree, edited by `edit`, onto the base as `v2`; returns the result and what `v2` holds. */
async function commitV2(options: Partial<CommitOptions>, edit: (root: string) => void = editTree) {
  const result = await commit({
    base: ctx.base,
    rootfs: rootfsOf(edit),
    dest: `oci:${ctx.layout}:v2`,
    ...options,
  });
  return { result, ...readTagged(ctx.layout, 'v2') };
}

describe('commit: config, history and manifest', () => {
  it('an unchanged rootfs adds no layer: empty_layer entry, diff_ids and layers unchanged', async () => {
    const before = readTagged(ctx.layout, 'base');
    const after = await commitV2({ sourceDateEpoch: EPOCH }, leaveAsIs);
    expect(after.result.layer).toBeUndefined();
    expect(after.config.rootfs.diff_ids).toEqual(before.config.rootfs.diff_ids);
    expect(after.manifest.layers).toEqual(before.manifest.layers);
    expect(after.config.history).toHaveLength(2);
    expect(after.config.history![1]).toEqual({
      created: EPOCH_TEXT,
      created_by: '/bin/tool serve',
      empty_layer: true,
    });
  });

  it('a new tag in the same layout leaves the base tag and its bytes untouched', async () => {
    const indexBefore = readTagged(ctx.layout, 'base');
    const v2 = await commitV2({ sourceDateEpoch: EPOCH });
    expect(readTagged(ctx.layout, 'base')).toEqual(indexBefore);
    expect(v2.manifestDigest).toBe(v2.result.manifest.digest);
    expect(v2.manifest.layers.slice(0, 1)).toEqual(indexBefore.manifest.layers);
    expect(v2.manifest.layers).toHaveLength(2);
    expect(v2.config.rootfs.diff_ids).toEqual([
      ...indexBefore.config.rootfs.diff_ids,
      v2.result.layer!.diffID,
    ]);
  });

  it('author, message and createdBy land in the history entry; author also in the config', async () => {
    const { config } = await commitV2({
      author: 'Tao Wang <twang2218@gmail.com>',
      comment: '修改了默认网页',
      createdBy: 'vi /etc/app.conf',
      sourceDateEpoch: EPOCH,
    });
    expect(config.author).toBe('Tao Wang <twang2218@gmail.com>');
    expect(config.history!.at(-1)).toEqual({
      created: EPOCH_TEXT,
      created_by: 'vi /etc/app.conf',
      author: 'Tao Wang <twang2218@gmail.com>',
      comment: '修改了默认网页',
    });
  });

  it('created comes from SOURCE_DATE_EPOCH, whole seconds, and equals the entry created', async () => {
    const { config } = await commitV2({
      sourceDateEpoch: EPOCH + 1,
    });
    expect(config.created).toBe('2024-06-01T00:00:01Z');
    expect(config.history!.at(-1)!.created).toBe(config.created);
  });

  it('without an epoch, created comes from the clock (UTC)', async () => {
    const { config } = await commitV2({
      clock: () => new Date(Date.UTC(2025, 0, 2, 3, 4, 5)),
    });
    expect(config.created).toMatch(/^2025-01-02T03:04:05(\.0+)?Z$/);
    expect(config.history!.at(-1)!.created).toBe(config.created);
  });

  it('changes (CMD/ENV/EXPOSE/LABEL/WORKDIR/USER) apply to config.config; created_by stays the base Cmd', async () => {
    const { config } = await commitV2({
      changes: [
        'CMD ["nginx", "-g", "daemon off;"]',
        'ENV PATH=/usr/local/bin:/bin MODE=prod',
        'EXPOSE 80 53/udp',
        'LABEL org.example.team="web ops"',
        'WORKDIR /srv/data',
        'USER 33:33',
      ],
      sourceDateEpoch: EPOCH,
    });
    expect(config.config).toEqual({
      Cmd: ['nginx', '-g', 'daemon off;'],
      Env: ['PATH=/usr/local/bin:/bin', 'MODE=prod'],
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      Labels: { 'org.example.team': 'web ops' },
      WorkingDir: '/srv/data',
      User: '33:33',
    });
    expect(config.history!.at(-1)!.created_by).toBe('/bin/tool serve');
  });

  it('keeps architecture, os and the base config fields it does not change', async () => {
    const { config } = await commitV2({ sourceDateEpoch: EPOCH });
    const baseConfig = readTagged(ctx.layout, 'base').config;
    expect(config.architecture).toBe(baseConfig.architecture);
    expect(config.os).toBe(baseConfig.os);
    expect(config.config).toEqual(baseConfig.config);
    expect(config.history!.slice(0, 1)).toEqual(baseConfig.history);
  });
});

describe('commit --squash', () => {
  it('one layer holding the whole rootfs; base history kept, every old entry empty', async () => {
    const rootfs = rootfsOf(editTree);
    const result = await commit({
      base: ctx.base,
      rootfs,
      dest: `oci:${ctx.layout}:squashed`,
      squash: true,
      createdBy: 'squash',
      clock: () => new Date(Date.UTC(2025, 0, 1)),
    });
    const { manifest, config } = readTagged(ctx.layout, 'squashed');
    expect(manifest.layers).toHaveLength(1);
    expect(config.rootfs.diff_ids).toEqual([result.layer!.diffID]);
    const baseHistory = readTagged(ctx.layout, 'base').config.history!;
    expect(config.history).toHaveLength(baseHistory.length + 1);
    expect(config.history!.slice(0, -1)).toEqual(
      baseHistory.map((entry) => ({ ...entry, empty_layer: true })),
    );
    expect(config.history!.at(-1)!.empty_layer).toBeUndefined();
    expect(mapHistoryToLayers(config.history!, config.rootfs.diff_ids).validation.problems).toEqual([]);

    const unpacked = join(ctx.dir, 'unpacked');
    await unpack(`oci:${ctx.layout}:squashed`, unpacked);
    expect(treeFacts(unpacked)).toEqual(treeFacts(rootfs));
  });
});

describe('bases whose history does not pair with their layers (R9) are repaired', () => {
  it('no history at all: one repaired entry per base layer, then the new entry', async () => {
    rewriteImage(ctx.layout, 'base', ({ config }) => {
      delete config.history;
    });
    const { result, config } = await commitV2({ sourceDateEpoch: EPOCH });
    expect(config.history).toEqual([
      { comment: REPAIRED_HISTORY_COMMENT, created: EPOCH_TEXT },
      { created: EPOCH_TEXT, created_by: '/bin/tool serve' },
    ]);
    expect(config.rootfs.diff_ids.at(-1)).toBe(result.layer!.diffID);
    expect(mapHistoryToLayers(config.history!, config.rootfs.diff_ids).validation.problems).toEqual([]);
  });

  it('too many non-empty entries: the surplus at the end becomes empty', async () => {
    rewriteImage(ctx.layout, 'base', ({ config }) => {
      config.history = [
        { created_by: 'layer one' },
        { created_by: 'no layer really' },
        { created_by: 'CMD', empty_layer: true },
      ];
    });
    const { config } = await commitV2({ sourceDateEpoch: EPOCH });
    expect(config.history!.slice(0, 3)).toEqual([
      { created_by: 'layer one' },
      { created_by: 'no layer really', empty_layer: true },
      { created_by: 'CMD', empty_layer: true },
    ]);
    expect(config.history!.filter((entry) => entry.empty_layer !== true)).toHaveLength(2);
    expect(mapHistoryToLayers(config.history!, config.rootfs.diff_ids).validation.problems).toEqual([]);
  });

  it('an empty commit on a misaligned base still pairs every layer with one entry', async () => {
    rewriteImage(ctx.layout, 'base', ({ config }) => {
      config.history = [{ created_by: 'CMD', empty_layer: true }];
    });
    const { config } = await commitV2({ sourceDateEpoch: EPOCH }, leaveAsIs);
    expect(config.rootfs.diff_ids).toHaveLength(1);
    expect(mapHistoryToLayers(config.history!, config.rootfs.diff_ids).validation.problems).toEqual([]);
    expect(JSON.parse(readFileSync(join(ctx.layout, 'index.json'), 'utf8')).manifests).toHaveLength(2);
  });
});
