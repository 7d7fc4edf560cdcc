/**
 * Smoke test of the benchmark harness: `node bench/run.mjs --quick` on a tiny generated tree must
 * time layerkit and every peer round-robin and write a JSON and a Markdown report with sane
 * numbers, including the registry workloads against a local docker-registry. Needs the built CLI
 * (`pnpm build`) and the Debian peers (umoci, skopeo, pigz, docker-registry, curl).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(repo, 'packages/cli/dist/layerkit.js');

interface Run {
  seconds: number;
  rssMiB: number;
  cpuSeconds: number;
}
interface Candidate {
  name: string;
  role: string;
  runs: Run[];
  medianSeconds?: number;
  peakRssMiB?: number;
  medianSidecarCpuSeconds?: number;
  error?: string;
  check?: {
    addedLayers?: number;
    layerFiles?: number;
    skopeoInspectLayers?: number;
    digestMatches?: boolean;
    baseLayersKept?: boolean;
    layers?: number;
    blobUploads?: number;
    blobMounts?: number;
    blobDownloads?: number;
    errors?: number;
  };
}
interface Report {
  machine: { cpuCount: number; node: string; cpuModel: string };
  settings: { runs: number; quick: boolean; layerkit: string };
  inputs: Record<
    string,
    { name: string; dir: string; kind: string; summary: { entries: number; files: number } }
  >;
  workloads: Array<{
    id: string;
    title: string;
    input: string;
    candidates: Candidate[];
    ratios: Record<string, number>;
  }>;
  targets: Array<{ target: string; status: string }>;
}

describe('bench harness --quick', () => {
  const scratch = useScratchDir('bench-smoke');
  let dir: string;
  let report: Report;
  let markdown: string;
  let stdout: string;

  beforeAll(() => {
    expect(existsSync(cli), `${cli} missing: run pnpm build first`).toBe(true);
    dir = scratch.path;
    const result = spawnSync(
      process.execPath,
      ['bench/run.mjs', '--quick', '--cache', join(dir, 'cache'), '--out', join(dir, 'out')],
      { cwd: repo, encoding: 'utf8', timeout: 170_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    stdout = result.stdout;
    report = JSON.parse(readFileSync(join(dir, 'out', 'quick.json'), 'utf8')) as Report;
    markdown = readFileSync(join(dir, 'out', 'quick.md'), 'utf8');
  }, 180_000);

  it('describes the machine and the generated input', () => {
    expect(report.machine.cpuCount).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    expect(report.settings).toMatchObject({ quick: true, runs: 2 });
    expect(report.inputs.rootfs?.summary).toMatchObject({ files: 99 });
  });

  it('names no path of this machine: the repository is ., the cache $LAYERKIT_BENCH_CACHE', () => {
    const written = JSON.stringify(report) + markdown;
    expect(written).not.toContain(join(dir, 'cache'));
    expect(written).not.toContain(repo.replace(/\/$/, ''));
    expect(written).not.toContain(process.execPath);
    expect(report.settings.layerkit).toBe('node ./packages/cli/dist/layerkit.js');
    expect(report.inputs.rootfs?.dir).toMatch(/^\$LAYERKIT_BENCH_CACHE\//);
  });

  it('runs workloads W1-W7 (W2 also in process, W2L), W2M, W6M and R1-R4 with layerkit and at least one other tool each, every run measured', () => {
    expect(report.workloads.map((w) => w.id)).toEqual([
      'W1',
      'W2',
      'W2L',
      'W2M',
      'W6M',
      'W3',
      'W4',
      'W5',
      'W6',
      'W7',
      'R1',
      'R2',
      'R2',
      'R3',
      'R4',
    ]);
    for (const workload of report.workloads) {
      const layerkit = workload.candidates.find((c) => c.role === 'layerkit');
      expect(layerkit, workload.id).toBeDefined();
      expect(workload.candidates.length, workload.id).toBeGreaterThanOrEqual(2);
      for (const c of workload.candidates) {
        expect(c.error, `${workload.id} ${c.name}`).toBeUndefined();
        expect(c.runs, `${workload.id} ${c.name}`).toHaveLength(2);
        for (const run of c.runs) {
          expect(run.seconds).toBeGreaterThan(0);
          expect(run.seconds).toBeLessThan(30);
          expect(run.rssMiB).toBeGreaterThan(0.5);
          expect(run.rssMiB).toBeLessThan(4096);
          expect(run.cpuSeconds).toBeGreaterThanOrEqual(0);
        }
        expect(c.medianSeconds).toBeGreaterThanOrEqual(Math.min(...c.runs.map((r) => r.seconds)));
        expect(c.medianSeconds).toBeLessThanOrEqual(Math.max(...c.runs.map((r) => r.seconds)));
        if (c !== layerkit) {
          expect(workload.ratios[c.name]).toBeCloseTo(layerkit!.medianSeconds! / c.medianSeconds!, 6);
        }
      }
    }
  });

  it('checks the outputs: one-file commit adds one file, content-mode touch commit adds none', () => {
    const check = (id: string, role: string) =>
      report.workloads.find((w) => w.id === id)?.candidates.find((c) => c.role === role)?.check;
    expect(check('W1', 'layerkit')).toMatchObject({ addedLayers: 1, layerFiles: 98 });
    expect(check('W2', 'layerkit')).toMatchObject({ addedLayers: 1, layerFiles: 1 });
    expect(check('W2', 'peer')).toMatchObject({ addedLayers: 1, layerFiles: 1 });
    expect(check('W2L', 'layerkit')).toMatchObject({ addedLayers: 1, layerFiles: 1 });
    expect(check('W2M', 'layerkit')).toMatchObject({ addedLayers: 1, layerFiles: 1 });
    expect(check('W3', 'peer')).toMatchObject({ layerFiles: 98 });
    expect(check('W7', 'layerkit')).toMatchObject({ skopeoInspectLayers: 1 });
  });

  it('checks the registry workloads: digests kept, only missing blobs sent, mounts across repositories', () => {
    const candidate = (id: string, name: string, index = 0) =>
      report.workloads.filter((w) => w.id === id)[index]?.candidates.find((c) => c.name === name);
    for (const name of ['layerkit copy', 'skopeo copy']) {
      expect(candidate('R1', name)?.check, name).toMatchObject({
        digestMatches: true,
        blobUploads: 2,
        errors: 0,
      });
      expect(candidate('R2', name)?.check, name).toMatchObject({ digestMatches: true, blobUploads: 2 });
      expect(candidate('R3', name)?.check, name).toMatchObject({ digestMatches: true, blobDownloads: 2 });
    }
    // docker://A → docker://B: layerkit mounts both layers; skopeo only when its cache knows A
    expect(candidate('R2', 'layerkit copy', 1)?.check).toMatchObject({
      digestMatches: true,
      layers: 2,
      blobMounts: 2,
    });
    expect(candidate('R2', 'skopeo copy, empty cache', 1)?.check).toMatchObject({
      blobMounts: 0,
      blobUploads: 3,
    });
    expect(candidate('R2', 'skopeo copy, cache knows A', 1)?.check).toMatchObject({ blobMounts: 2 });
    expect(candidate('R4', 'layerkit commit → docker://')?.check).toMatchObject({
      addedLayers: 1,
      baseLayersKept: true,
      layerFiles: 1,
      blobUploads: 2,
    });
    expect(candidate('R4', 'layerkit commit → oci: (local)')?.check).toMatchObject({
      addedLayers: 1,
      layerFiles: 1,
    });
    expect(candidate('R1', 'layerkit copy')?.medianSidecarCpuSeconds).toBeGreaterThan(0);
  });

  it('judges every target and renders the same report as Markdown on stdout and on disk', () => {
    expect(report.targets).toHaveLength(21);
    for (const t of report.targets) expect(['met', 'missed', 'not run']).toContain(t.status);
    const status = (prefix: string) => report.targets.find((t) => t.target.startsWith(prefix))?.status;
    expect(status('W8')).toBe('not run');
    expect(status('R5')).toBe('not run');
    expect(status('R2')).toBe('met');
    expect(['met', 'missed']).toContain(status('W2L'));
    expect(status('W2: commit after a 1-file change on smallfiles-1m')).toBe('not run');
    expect(status('W2M')).not.toBe('not run');
    expect(markdown).toBe(stdout);
    expect(markdown).toContain(`${report.machine.cpuCount} CPUs`);
    expect(markdown).toContain(`Node ${process.version}`);
    expect(markdown).toContain('## Registry side (R workloads)');
    const results = markdown.slice(markdown.indexOf('## Results'), markdown.indexOf('## Targets'));
    const rows = results.split('\n').filter((line) => /^\| [WR]\d[LM]? /.test(line));
    const candidates = report.workloads.reduce((n, w) => n + w.candidates.length, 0);
    expect(rows).toHaveLength(candidates);
    for (const row of rows) expect(row.split(/(?<!\\)\|/)).toHaveLength(11);
  });
});

describe('bench harness --quick with your own inputs: --pair DIR_A DIR_B', () => {
  const scratch = useScratchDir('bench-smoke-pair');
  let report: Report;
  let markdown: string;
  let svg: string;

  beforeAll(() => {
    expect(existsSync(cli), `${cli} missing: run pnpm build first`).toBe(true);
    const dir = scratch.path;
    const tree = (name: string, files: Record<string, string>) => {
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(join(dir, name, path, '..'), { recursive: true });
        writeFileSync(join(dir, name, path), content);
      }
    };
    tree('a', { f: 'one', 'd/g': 'two' });
    tree('b', { f: 'ONE', 'd/g': 'two', new: 'x' });
    const result = spawnSync(
      process.execPath,
      [
        'bench/run.mjs',
        '--quick',
        '--only',
        'W5',
        '--inputs',
        'pair-a-b',
        '--pair',
        join(dir, 'a'),
        join(dir, 'b'),
        '--cache',
        join(dir, 'cache'),
        '--out',
        join(dir, 'out'),
        '--name',
        'pair',
      ],
      { cwd: repo, encoding: 'utf8', timeout: 110_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    report = JSON.parse(readFileSync(join(dir, 'out', 'pair.json'), 'utf8')) as Report;
    markdown = readFileSync(join(dir, 'out', 'pair.md'), 'utf8');
    svg = readFileSync(join(dir, 'out', 'pair.svg'), 'utf8');
  }, 120_000);

  it('names the pair among the inputs, with both directories', () => {
    expect(report.inputs['pair-a-b']).toMatchObject({ name: 'pair-a-b', summary: { entries: 3, files: 2 } });
    expect(report.inputs['pair-a-b']?.kind).toMatch(
      /^your pair \(--pair \S*\/a \S*\/b; the second: 4 entries, 3 regular files\)$/,
    );
    expect(markdown).toContain('| pair-a-b | your pair (--pair ');
  });

  it('runs W5 on the pair only (--inputs): layerkit, find A B and diff -rq, every run measured', () => {
    expect(report.workloads.map((w) => [w.id, w.input])).toEqual([['W5', 'pair-a-b']]);
    const pair = report.workloads[0]!;
    expect(pair.candidates.map((c) => [c.name, c.role])).toEqual([
      ['layerkit diff --mode metadata', 'layerkit'],
      ['stat-walk floor: find A B', 'floor'],
      ['diff -rq (reads content)', 'peer'],
    ]);
    for (const c of pair.candidates) {
      expect(c.error, c.name).toBeUndefined();
      expect(c.runs, c.name).toHaveLength(2);
    }
    expect(Object.keys(pair.ratios)).toEqual(['stat-walk floor: find A B', 'diff -rq (reads content)']);
    expect(markdown).toContain(
      '| W5 diff listing of your two trees | pair-a-b | layerkit diff --mode metadata |',
    );
    expect(svg).toContain('W5 diff listing of your two trees <tspan class="input">(pair-a-b)</tspan>');
  });
});
