/**
 * @layerkit/digest benchmarks: sha256, gzip L1/6/9 and the one-pass layer-blob pipeline,
 * each implementation timed side by side with its peers, round-robin (every repetition runs
 * every implementation once, so background noise hits them alike). Imports the BUILT package:
 * run `pnpm build` first, then `node --expose-gc bench/digest/run.mjs [--quick]`.
 * Writes bench/results/digest.md and digest.json.
 *
 * `--codecs`: only zstd against gzip (size and time, compress and decompress, layerkit's codecs
 * and the command-line tools) on the same corpus; writes bench/results/zstd-node<major>.{md,json}.
 * Without a zstd encoder in node:zlib (Node 20) the zstd input is `zstd -3` output and only
 * decompression is timed for layerkit.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';

const { gunzipSync, gzipSync } = zlib;

import { createPortableSha256, portableRuntime, writeLayerBlob } from '../../packages/digest/dist/index.js';
import {
  createNativeSha256,
  FsBlobStore,
  nodeRuntime,
  parallelGzip,
} from '../../packages/digest/dist/node/index.js';
import { withPortablePaths } from '../lib/report.mjs';
import { CORPUS_TAR, ensureCorpus } from './corpus.mjs';

const MiB = 1024 * 1024;
const quick = process.argv.includes('--quick');
const codecsOnly = process.argv.includes('--codecs');
const nodeHasZstdEncoder = typeof zlib.createZstdCompress === 'function';
const REPS = quick
  ? { sha256: 1, gzip1: 1, gzip6: 1, gzip9: 0, pipeline: 1, codecs: 1 }
  : { sha256: 5, gzip1: 3, gzip6: 3, gzip9: 1, pipeline: 3, codecs: 2 };
const REPO = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const RESULTS = new URL('../results/', import.meta.url).pathname;
const SCRATCH = new URL('../.cache/digest-scratch/', import.meta.url).pathname;

const corpus = ensureCorpus();
const tar = readFileSync(CORPUS_TAR);
const load = { start: loadavg() };

/** The tar as 1 MiB views (no copies; chunks are never reused). */
async function* inMemoryChunks() {
  for (let offset = 0; offset < tar.length; offset += MiB) yield tar.subarray(offset, offset + MiB);
}

/** The tar file read with sync reads into fresh 1 MiB buffers, as a tar producer would hand them over. */
async function* fileChunks() {
  const fd = openSync(CORPUS_TAR, 'r');
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafeSlow(MiB);
      const read = readSync(fd, buffer, 0, MiB, null);
      if (read === 0) return;
      yield buffer.subarray(0, read);
    }
  } finally {
    closeSync(fd);
  }
}

async function drain(source) {
  let bytes = 0;
  for await (const chunk of source) bytes += chunk.length;
  return bytes;
}

function shell(script) {
  const result = spawnSync('bash', ['-c', `set -euo pipefail; ${script}`], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${script}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Runs `fn`, returning wall seconds, CPU seconds of this process, and what it returned. */
async function timed(fn) {
  globalThis.gc?.();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const value = await fn();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, value };
}

const samples = [];
async function roundRobin(group, level, reps, implementations) {
  for (let rep = 0; rep < reps; rep++) {
    for (const [name, run] of implementations) {
      const { seconds, cpuSeconds, value } = await timed(run);
      samples.push({
        group,
        level,
        name,
        rep,
        seconds,
        cpuSeconds,
        outBytes: value?.outBytes ?? null,
        check: value?.check ?? null,
      });
      process.stderr.write(
        `${group} L${level ?? '-'} ${name} #${rep + 1}: ${(tar.length / MiB / seconds).toFixed(1)} MiB/s\n`,
      );
    }
  }
}

// ---- zstd against gzip (--codecs) -------------------------------------------------------------
/** The corpus compressed once by `make`, kept for the decompression rounds. */
async function compressedWith(make) {
  const chunks = [];
  for await (const chunk of make()) chunks.push(chunk);
  return Buffer.concat(chunks);
}
async function* whole(bytes) {
  for (let offset = 0; offset < bytes.length; offset += MiB) yield bytes.subarray(offset, offset + MiB);
}
const fileOf = (name, bytes) => {
  mkdirSync(SCRATCH, { recursive: true });
  const path = join(SCRATCH, name);
  writeFileSync(path, bytes);
  return path;
};
let zstdInputSource = 'layerkit node: node:zlib zstd level 3';
async function codecComparison() {
  const zstdLevels = quick ? [3] : [1, 3, 9];
  const compressors = [
    [
      'layerkit node gzip L6 (parallelGzip)',
      async () => ({ outBytes: await drain(nodeRuntime.codec('gzip').compress(inMemoryChunks())) }),
    ],
    ...(nodeHasZstdEncoder
      ? zstdLevels.map((level) => [
          `layerkit node zstd L${level} (node:zlib)`,
          async () => ({
            outBytes: await drain(nodeRuntime.codec('zstd').compress(inMemoryChunks(), { level })),
          }),
        ])
      : []),
    ['gzip -6', async () => ({ outBytes: Number(shell(`gzip -6 -n -c '${CORPUS_TAR}' | wc -c`)) })],
    ...zstdLevels.map((level) => [
      `zstd -${level} -T1`,
      async () => ({ outBytes: Number(shell(`zstd -${level} -T1 -q -c '${CORPUS_TAR}' | wc -c`)) }),
    ]),
  ];
  await roundRobin('compress', null, REPS.codecs, compressors);

  const gzipped = await compressedWith(() => nodeRuntime.codec('gzip').compress(inMemoryChunks()));
  let zstded;
  if (nodeHasZstdEncoder)
    zstded = await compressedWith(() => nodeRuntime.codec('zstd').compress(inMemoryChunks()));
  else {
    zstded = execFileSync('zstd', ['-3', '-T1', '-q', '-c', CORPUS_TAR], { maxBuffer: 2 ** 30 });
    zstdInputSource = '`zstd -3 -T1` (no encoder in node:zlib)';
  }
  const gzFile = fileOf('corpus.tar.gz', gzipped);
  const zstFile = fileOf('corpus.tar.zst', zstded);
  const decompressed = (codec, bytes) => async () => {
    const hasher = createNativeSha256();
    for await (const chunk of codec.decompress(whole(bytes))) hasher.update(chunk);
    return { outBytes: bytes.length, check: hasher.digest() };
  };
  const decompressors = [
    ['layerkit node gunzip (node:zlib)', decompressed(nodeRuntime.codec('gzip'), gzipped)],
    ['layerkit portable gunzip (fflate)', decompressed(portableRuntime.codec('gzip'), gzipped)],
    [
      `layerkit node zstd (${nodeHasZstdEncoder ? 'node:zlib' : 'fzstd: Node 20 has no zstd in node:zlib'})`,
      decompressed(nodeRuntime.codec('zstd'), zstded),
    ],
    ['layerkit portable zstd (fzstd)', decompressed(portableRuntime.codec('zstd'), zstded)],
    [
      'gzip -d',
      async () => ({
        outBytes: gzipped.length,
        check: `sha256:${shell(`gzip -d -c '${gzFile}' | sha256sum`).split(' ')[0]}`,
      }),
    ],
    [
      'zstd -d',
      async () => ({
        outBytes: zstded.length,
        check: `sha256:${shell(`zstd -d -q -c '${zstFile}' | sha256sum`).split(' ')[0]}`,
      }),
    ],
  ];
  await roundRobin('decompress', null, REPS.codecs, decompressors);
  rmSync(SCRATCH, { recursive: true, force: true });
}

let verified = null;
if (codecsOnly) await codecComparison();
else {
  // ---- sha256 -------------------------------------------------------------------------------
  const hashWith = (factory) => async () => {
    const hasher = factory();
    for await (const chunk of inMemoryChunks()) hasher.update(chunk);
    return { check: hasher.digest() };
  };
  await roundRobin('sha256', null, REPS.sha256, [
    ['node:crypto (createNativeSha256)', hashWith(createNativeSha256)],
    ['@noble/hashes (createPortableSha256)', hashWith(createPortableSha256)],
    [
      'sha256sum (file, page-cached)',
      async () => ({ check: `sha256:${shell(`sha256sum '${CORPUS_TAR}'`).split(' ')[0]}` }),
    ],
  ]);

  // ---- gzip ---------------------------------------------------------------------------------
  const gzipImplementations = (level) => [
    [
      'layerkit node: parallelGzip (1 MiB blocks, 4 in flight)',
      async () => ({ outBytes: await drain(parallelGzip(inMemoryChunks(), { level })) }),
    ],
    ['node zlib.gzipSync (1 thread)', async () => ({ outBytes: gzipSync(tar, { level }).length })],
    [
      'layerkit portable: fflate Gzip stream',
      async () => ({
        outBytes: await drain(portableRuntime.codec('gzip').compress(inMemoryChunks(), { level })),
      }),
    ],
    [
      `gzip -${level}`,
      async () => ({ outBytes: Number(shell(`gzip -${level} -n -c '${CORPUS_TAR}' | wc -c`)) }),
    ],
    [
      `pigz -p 2 -${level}`,
      async () => ({ outBytes: Number(shell(`pigz -p 2 -${level} -n -c '${CORPUS_TAR}' | wc -c`)) }),
    ],
  ];
  for (const [level, reps] of [
    [1, REPS.gzip1],
    [6, REPS.gzip6],
    [9, REPS.gzip9],
  ]) {
    if (reps === 0) continue;
    await roundRobin('gzip', level, reps, gzipImplementations(level));
  }
  // Correctness of what was timed: the parallel output restores the corpus exactly.
  const compressed = [];
  for await (const chunk of parallelGzip(inMemoryChunks())) compressed.push(chunk);
  verified = gunzipSync(Buffer.concat(compressed)).equals(tar);
  compressed.length = 0;

  // ---- one-pass layer blob ------------------------------------------------------------------
  const layerPipelines = (level) => [
    [
      'layerkit writeLayerBlob (nodeRuntime, FsBlobStore, fsync)',
      async () => {
        rmSync(SCRATCH, { recursive: true, force: true });
        const layer = await writeLayerBlob(fileChunks(), {
          store: new FsBlobStore(SCRATCH),
          runtime: nodeRuntime,
          level,
        });
        return { outBytes: layer.size, check: layer.diffID };
      },
    ],
    ...[
      ['gzip', `gzip -${level} -n`],
      ['pigz -p 2', `pigz -p 2 -${level} -n`],
    ].map(([label, compressor]) => [
      `shell: cat tar | tee >(sha256sum) | ${label} | tee blob | sha256sum`,
      async () => {
        rmSync(SCRATCH, { recursive: true, force: true });
        mkdirSync(SCRATCH, { recursive: true });
        const diffid = join(SCRATCH, 'diffid');
        // The tar's hash runs beside the compressor through a FIFO, like `tee >(sha256sum)`, but waitable.
        shell(
          `mkfifo '${SCRATCH}/tar'; sha256sum < '${SCRATCH}/tar' > '${diffid}' & hasher=$!; ` +
            `cat '${CORPUS_TAR}' | tee '${SCRATCH}/tar' | ${compressor} | tee '${SCRATCH}/blob.gz' | sha256sum > '${SCRATCH}/digest'; wait $hasher`,
        );
        return {
          outBytes: Number(shell(`wc -c < '${SCRATCH}/blob.gz'`)),
          check: `sha256:${readFileSync(diffid, 'utf8').split(' ')[0]}`,
        };
      },
    ]),
  ];
  await roundRobin('pipeline', 6, REPS.pipeline, layerPipelines(6));
  rmSync(SCRATCH, { recursive: true, force: true });
}
load.end = loadavg();

// ---- report -------------------------------------------------------------------------------
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const rate = (seconds) => tar.length / MiB / seconds;
const rows = [];
for (const sample of samples) {
  let row = rows.find((r) => r.group === sample.group && r.level === sample.level && r.name === sample.name);
  if (row === undefined) {
    row = { group: sample.group, level: sample.level, name: sample.name, runs: [] };
    rows.push(row);
  }
  row.runs.push(sample);
}
for (const row of rows) {
  const seconds = row.runs.map((r) => r.seconds);
  row.medianMiBs = rate(median(seconds));
  row.minMiBs = rate(Math.max(...seconds));
  row.maxMiBs = rate(Math.min(...seconds));
  row.cpuSeconds =
    row.name.startsWith('gzip -') ||
    row.name.startsWith('zstd -') ||
    row.name.startsWith('pigz') ||
    row.name.startsWith('shell') ||
    row.name.startsWith('sha256sum')
      ? null
      : median(row.runs.map((r) => r.cpuSeconds));
  row.ratio = row.runs[0].outBytes === null ? null : row.runs[0].outBytes / tar.length;
  row.checks = [...new Set(row.runs.map((r) => r.check).filter((c) => c !== null))];
}
const expectedDiffID = `sha256:${shell(`sha256sum '${CORPUS_TAR}'`).split(' ')[0]}`;
const checksAgree = rows.every((row) => row.checks.every((check) => check === expectedDiffID));

const cpuModel = cpus()[0]?.model ?? 'unknown';
const machine = {
  cpu: cpuModel,
  nproc: Number(execFileSync('nproc').toString().trim()),
  shaNi: readFileSync('/proc/cpuinfo', 'utf8').includes(' sha_ni'),
  memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
  freeGiB: +(freemem() / 2 ** 30).toFixed(1),
  node: process.version,
  zlib: process.versions.zlib,
  libzstd: process.versions.zstd ?? null,
  openssl: process.versions.openssl,
  tools: {
    gzip: execFileSync('gzip', ['--version']).toString().split('\n')[0],
    pigz:
      spawnSync('pigz', ['--version'], { encoding: 'utf8' }).stderr.trim() ||
      spawnSync('pigz', ['--version'], { encoding: 'utf8' }).stdout.trim(),
    sha256sum: execFileSync('sha256sum', ['--version']).toString().split('\n')[0],
    zstd: execFileSync('zstd', ['--version']).toString().trim(),
  },
  loadavg: load,
};

const fmt = (n, digits = 1) => (n === null || n === undefined ? '–' : n.toFixed(digits));
const lines = [
  codecsOnly ? '# @layerkit/digest: zstd against gzip' : '# @layerkit/digest benchmarks',
  '',
  `Generated by \`node --expose-gc bench/digest/run.mjs${codecsOnly ? ' --codecs' : ''}${quick ? ' --quick' : ''}\` on ${new Date().toISOString().slice(0, 10)}${quick ? ' (QUICK MODE: 1 rep, no L9 — not for comparison)' : ''}.`,
  '',
  `- Machine: ${machine.cpu}, nproc ${machine.nproc}, SHA-NI ${machine.shaNi ? 'yes' : 'no'}, ${machine.memoryGiB} GiB RAM.`,
  `- Node ${machine.node} (zlib ${machine.zlib}, libzstd ${machine.libzstd ?? 'none: node:zlib has no zstd'}, OpenSSL ${machine.openssl}); ${machine.tools.gzip}; ${machine.tools.pigz}; ${machine.tools.sha256sum}; ${machine.tools.zstd}.`,
  `- Load average at start ${load.start.map((l) => l.toFixed(2)).join(' ')}, at end ${load.end.map((l) => l.toFixed(2)).join(' ')} (other work shares these cores: treat differences under ~15% as ties).`,
  `- Corpus: \`bench/.cache/digest-corpus.tar\`, ${(corpus.bytes / MiB).toFixed(1)} MiB GNU tar of ${corpus.files} files from ${corpus.roots.join(' and ')}: text ${(corpus.contentBytes.text / MiB).toFixed(0)} MiB, ELF ${(corpus.contentBytes.elf / MiB).toFixed(0)} MiB, already-compressed ${(corpus.contentBytes.compressed / MiB).toFixed(0)} MiB.`,
  '- MiB/s is always uncompressed (tar) bytes per wall second; median of the repetitions, min..max beside it. Round-robin order; Node implementations run in this process on the in-memory tar, the tools read the page-cached file.',
  `- Checks: every sha256 and DiffID equals \`sha256sum\` of the corpus: ${checksAgree ? 'yes' : 'NO'}${verified === null ? '' : `; parallel gzip output gunzips to the corpus: ${verified ? 'yes' : 'NO'}`}.`,
  ...(codecsOnly
    ? [
        `- Compression: layerkit's codecs on the in-memory tar (gzip L6 is the default, zstd L3 the default); ratio = compressed / tar bytes. The tools are single-threaded (\`-T1\`, gzip).`,
        `- Decompression input: layerkit node gzip L6, and for zstd ${zstdInputSource}; the ratio column is that input's. layerkit's decoders also hash the output (sha256, as a layer read does); the tools pipe into sha256sum.`,
      ]
    : []),
  '',
];
const groups = codecsOnly
  ? [
      ['compress', null, 'Compression (MiB/s of tar input)'],
      ['decompress', null, 'Decompression + sha256 of the output (MiB/s of tar output)'],
    ]
  : [
      ['sha256', null, 'SHA-256'],
      ['gzip', 1, 'gzip level 1'],
      ['gzip', 6, 'gzip level 6 (the default)'],
      ['gzip', 9, 'gzip level 9'],
      ['pipeline', 6, 'One-pass layer blob at level 6: tar bytes → DiffID → gzip → digest → blob file'],
    ];
for (const [group, level, title] of groups) {
  const groupRows = rows.filter((r) => r.group === group && r.level === level);
  if (groupRows.length === 0) continue;
  const base = groupRows[0].medianMiBs;
  lines.push(
    `## ${title}`,
    '',
    '| implementation | median MiB/s | min..max | ratio | CPU s (in-process) | vs first row |',
    '|---|---:|---:|---:|---:|---:|',
  );
  for (const row of groupRows) {
    lines.push(
      `| ${row.name.replaceAll('|', '\\|')} | **${fmt(row.medianMiBs)}** | ${fmt(row.minMiBs)}..${fmt(row.maxMiBs)} | ${fmt(row.ratio, 4)} | ${fmt(row.cpuSeconds)} | ${fmt(row.medianMiBs / base, 2)}× |`,
    );
  }
  lines.push('', `Repetitions: ${groupRows[0].runs.length}.`, '');
}
if (!codecsOnly)
  lines.push(
    'The shell pipelines start from the same tar file (`cat`) rather than `tar -c`, so both sides do the same work: hash the tar, compress, hash and write the blob. writeLayerBlob also fsyncs the blob and renames it into an OCI layout.',
    '',
  );
mkdirSync(RESULTS, { recursive: true });
const reportName = codecsOnly ? `zstd-node${process.versions.node.split('.')[0]}` : 'digest';
writeFileSync(join(RESULTS, `${reportName}.md`), `${lines.join('\n')}`);
writeFileSync(
  join(RESULTS, `${reportName}.json`),
  `${JSON.stringify(withPortablePaths({ machine, corpus, quick, rows: rows.map(({ runs, ...row }) => ({ ...row, runs })) }, { repo: REPO }), null, 2)}\n`,
);
process.stdout.write(`${lines.join('\n')}\n`);
