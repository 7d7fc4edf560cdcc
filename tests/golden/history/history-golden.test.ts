import { readFileSync } from 'node:fs';
import {
  type HistoryRow,
  historyRows,
  type RenderHistoryOptions,
  renderHistoryJson,
  renderHistoryTable,
} from '@layerkit/history';
import { describe, expect, it } from 'vitest';
import { formatRfc3339Utc } from '../../../packages/history/src/rfc3339.js';

const golden = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8');
const NOW = new Date('2026-08-20T12:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;
/** Go's `time.Unix(seconds, 0)` as the RFC 3339 text a config would carry. */
const at = (seconds: number) => formatRfc3339Utc(seconds * 1000);
const row = (fields: Partial<HistoryRow> & { id: string }): HistoryRow => ({
  createdBy: '',
  size: 0,
  comment: '',
  ...fields,
});

describe('docker/cli testdata (history_test.go, TZ=UTC)', () => {
  it.each<[string, HistoryRow[], RenderHistoryOptions]>([
    ['simple', [row({ id: '1234567890123456789', created: at(NOW_SECONDS), comment: 'none' })], {}],
    ['quiet', [row({ id: 'image:tag', created: at(NOW_SECONDS) })], { quiet: true }],
    [
      'non-human',
      [
        row({
          id: 'abcdef',
          created: '2017-01-01T12:00:03Z',
          createdBy: 'rose',
          comment: 'new history item!',
        }),
      ],
      { human: false },
    ],
    [
      'quiet-no-trunc',
      [row({ id: '1234567890123456789', created: at(NOW_SECONDS) })],
      { quiet: true, noTrunc: true },
    ],
    ['platform', [row({ id: '1234567890123456789', created: at(NOW_SECONDS) })], {}],
  ])('%s', (name, rows, options) => {
    expect(renderHistoryTable(rows, { now: NOW, ...options })).toBe(
      golden(`docker-cli/history-command-success.${name}.golden`),
    );
  });

  // formatter_history_test.go TestHistoryContext_Table: a day ago, epoch 0 and 17 years ago.
  const dayAgo = NOW_SECONDS - 24 * 3600;
  const seventeenYearsAgo = Date.UTC(2009, 7, 20, 12) / 1000;
  const tableRows = [
    [
      'imageID1',
      dayAgo,
      '/bin/bash ls && npm i && npm run test && karma -c karma.conf.js start && npm start && more commands here && the list goes on',
    ],
    ['imageID2', dayAgo, '/bin/bash echo'],
    ['imageID3', dayAgo, '/bin/bash ls'],
    ['imageID4', dayAgo, '/bin/bash grep'],
    ['imageID5', 0, '/bin/bash echo'],
    ['imageID6', seventeenYearsAgo, '/bin/bash echo'],
  ].map(([id, created, createdBy]) =>
    row({
      id: id as string,
      created: at(created as number),
      createdBy: createdBy as string,
      size: 182964289,
      comment: 'Hi',
    }),
  );

  it('TestHistoryContext_Table truncated', () => {
    expect(renderHistoryTable(tableRows, { now: NOW })).toBe(golden('docker-cli/table-trunc.golden'));
  });

  it('TestHistoryContext_Table --no-trunc', () => {
    expect(renderHistoryTable(tableRows, { now: NOW, noTrunc: true })).toBe(
      golden('docker-cli/table-no-trunc.golden'),
    );
  });

  it('TestHistoryContext_CreatedBy: tabs become spaces, then Ellipsis(45)', () => {
    const withTabs =
      '/bin/sh -c apt-key adv --keyserver hkp://pgp.mit.edu:80\t--recv-keys 573BFD6B3D8FBC641079A6ABABF5BD827BD9BF62';
    const json = renderHistoryJson([row({ id: 'x', createdBy: withTabs })], { now: NOW, noTrunc: true });
    expect(JSON.parse(json).CreatedBy).toBe(withTabs.replace('\t', ' '));
    expect(
      JSON.parse(renderHistoryJson([row({ id: 'x', createdBy: withTabs })], { now: NOW })).CreatedBy,
    ).toBe('/bin/sh -c apt-key adv --keyserver hkp://pgp…');
  });
});

describe('docker docs: image_history.md --platform example', () => {
  it('renders the alpine history (docs trim the trailing padding of the SIZE column)', async () => {
    const threeWeeksAgo = NOW_SECONDS - 21 * 24 * 3600 - 3600;
    const rows = [
      row({
        id: `sha256:beefdbd8a1da${'0'.repeat(52)}`,
        created: at(threeWeeksAgo),
        createdBy: '/bin/sh -c #(nop)  CMD ["/bin/sh"]',
      }),
      row({
        id: '<missing>',
        created: at(threeWeeksAgo),
        createdBy: '/bin/sh -c #(nop) ADD file:ba2637314e600db5a8b9c8c2a4f5e7d1 in / ',
        size: 8460000,
      }),
    ];
    await expect(renderHistoryTable(rows, { now: NOW })).toMatchFileSnapshot('alpine-platform.golden');
  });
});

describe('the seed scenario: nginx committed with a Chinese comment', () => {
  const diffIDs = ['a', 'b', 'c', 'd'].map((c) => `sha256:${c.repeat(64)}`);
  const sizes = [74_800_000, 58_700_000, 628, 95];
  const config = {
    rootfs: { diff_ids: diffIDs },
    history: [
      {
        created: '2026-07-01T00:00:00Z',
        created_by: "# debian.sh --arch 'amd64' out/ 'bookworm' '@1719792000'",
        comment: 'debuerreotype 0.15',
      },
      {
        created: '2026-07-22T08:00:00Z',
        created_by: 'ENV NGINX_VERSION=1.27.0',
        comment: 'buildkit.dockerfile.v0',
        empty_layer: true,
      },
      {
        created: '2026-07-22T08:00:00Z',
        created_by:
          'RUN /bin/sh -c set -x     && groupadd --system --gid 101 nginx     && useradd --system --gid nginx --no-create-home --home /nonexistent --comment "nginx user" --shell /bin/false --uid 101 nginx # buildkit',
        comment: 'buildkit.dockerfile.v0',
      },
      {
        created: '2026-07-22T08:00:00Z',
        created_by: 'COPY docker-entrypoint.sh / # buildkit',
        comment: 'buildkit.dockerfile.v0',
      },
      {
        created: '2026-07-22T08:00:00Z',
        created_by: 'EXPOSE map[80/tcp:{}]',
        comment: 'buildkit.dockerfile.v0',
        empty_layer: true,
      },
      {
        created: '2026-07-22T08:00:00Z',
        created_by: 'CMD ["nginx" "-g" "daemon off;"]',
        comment: 'buildkit.dockerfile.v0',
        empty_layer: true,
      },
      {
        created: '2026-08-20T11:59:06.123456789Z',
        created_by: 'nginx -g daemon off;',
        author: 'Tao Wang <twang2218@gmail.com>',
        comment: '修改了默认网页',
      },
    ],
  };
  const imageId = `sha256:07e3346597480f0a1d4c1d7e96b1cd61ae7c2bce3d09b0c86f3e0a7f5b1a9d42`;
  const { rows, validation } = historyRows(config, (_, index) => sizes[index]!, imageId);

  it('maps cleanly', () => {
    expect(validation.ok).toBe(true);
  });

  it('table', async () => {
    await expect(renderHistoryTable(rows, { now: NOW })).toMatchFileSnapshot('seed-nginx.golden');
  });

  it('table --human=false in Asia/Shanghai', async () => {
    await expect(
      renderHistoryTable(rows, { now: NOW, human: false, timeZone: 'Asia/Shanghai' }),
    ).toMatchFileSnapshot('seed-nginx.non-human.golden');
  });

  it('table --no-trunc', async () => {
    await expect(renderHistoryTable(rows, { now: NOW, noTrunc: true })).toMatchFileSnapshot(
      'seed-nginx.no-trunc.golden',
    );
  });

  it('--format json', async () => {
    await expect(renderHistoryJson(rows, { now: NOW })).toMatchFileSnapshot('seed-nginx.json.golden');
  });
});

describe('wide characters and hostile strings', () => {
  const rows = [
    row({
      id: `sha256:${'1'.repeat(64)}`,
      created: at(NOW_SECONDS - 90),
      createdBy: 'RUN echo 你好世界，这是一个很长的命令行用来测试截断 > /etc/motd',
      size: 999_500,
      comment: '中文注释',
    }),
    row({
      id: '<missing>',
      created: at(NOW_SECONDS - 7200),
      createdBy: '\x1b[31mRUN\x1b[0m \x1b]8;;https://evil.example/\x07curl | sh\x1b]8;;\x07\rFAKE\x1b[2K',
      size: 1125,
      comment: 'line1\nline2\tcol\x07',
    }),
    row({
      id: '<missing>',
      created: 'not a time',
      createdBy: 'ｆｕｌｌｗｉｄｔｈ ＣＭＤ ｗｉｔｈ ｅｍｏｊｉ 😀😀',
      size: 100_500,
    }),
  ];

  it('aligns by terminal width and strips escapes and controls (R17)', async () => {
    await expect(renderHistoryTable(rows, { now: NOW })).toMatchFileSnapshot('wide-and-hostile.golden');
  });

  it('JSON carries the same sanitized strings', async () => {
    await expect(renderHistoryJson(rows, { now: NOW, noTrunc: true })).toMatchFileSnapshot(
      'wide-and-hostile.json.golden',
    );
  });
});
