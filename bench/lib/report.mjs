/**
 * The results as JSON (everything, per run) and Markdown (the table people read): medians,
 * ranges, layerkit/peer ratios, peak RSS, CPU, noise, untimed checks and targets.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChart } from './chart.mjs';

/**
 * @typedef {object} Report
 * @property {Record<string, any>} machine
 * @property {Record<string, any>} settings
 * @property {Record<string, import('./inputs.mjs').Input>} inputs
 * @property {Array<{id: string, title: string, input: string, notes?: string[], candidates: import('./stats.mjs').CandidateResult[], ratios: Record<string, number>}>} workloads
 * @property {import('./targets.mjs').TargetResult[]} targets
 */

/** A table cell: pipes in tool names (shell pipelines) must not split the cell. */
const cell = (text) => String(text).replaceAll('|', '\\|');
const row = (cells) => `| ${cells.map(cell).join(' | ')} |`;
const s = (n) => (n === undefined ? '–' : n < 1 ? n.toFixed(3) : n.toFixed(2));
const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);

/**
 * Renders the report as Markdown.
 * @param {Report} report
 * @returns {string}
 */
export function renderMarkdown({ machine, settings, inputs, workloads, targets }) {
  const lines = [
    '# layerkit benchmark results',
    '',
    `Measured ${settings.finished} on ${machine.cpuModel}, ${machine.cpuCount} CPUs, ${machine.memoryGiB} GiB RAM, ` +
      `${machine.os}, ${machine.fileSystem}; Node ${machine.node}` +
      (machine.harnessNode === undefined
        ? ''
        : ` (${machine.nodeBinary}; the harness on ${machine.harnessNode})`) +
      `; layerkit at ${machine.commit}.`,
    `Tools: ${Object.values(machine.tools).join('; ')}.`,
    '',
    `Method: each workload runs its tools round-robin (A B C A B C …), ${settings.warmup} warm-up round(s) then ` +
      `${settings.runs} measured rounds; whole commands are timed; state is reset before every run outside the ` +
      "timed region. Times are medians in seconds (min–max beside them). Ratio = layerkit median / that tool's " +
      'median (below 1: layerkit is faster). Peak RSS is the largest single process (GNU time, wait4 rusage). ' +
      '"Other CPU" is what the rest of the machine used during the run, in % of one core: high values mean noise. ' +
      'Differences under ~15% are ties on this host.',
    '',
    '## Inputs',
    '',
    '| input | what | entries | regular files | MiB of file data |',
    '|---|---|---:|---:|---:|',
    ...Object.values(inputs).map((i) =>
      row([i.name, i.kind, i.summary.entries, i.summary.files, mib(i.summary.bytes)]),
    ),
    '',
    '## Results',
    '',
    '| workload | input | tool | median s | min–max s | layerkit / tool | peak RSS MiB | CPU s | other CPU % (max) |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const w of workloads) {
    for (const c of w.candidates) {
      const ratio = w.ratios[c.name];
      const cells = c.error
        ? [`failed: ${c.error.split('\n')[0].slice(0, 120)}`, '', '', '', '', '']
        : [
            s(c.medianSeconds),
            `${s(c.minSeconds)}–${s(c.maxSeconds)}`,
            ratio === undefined ? '' : `${ratio.toFixed(2)}×`,
            c.peakRssMiB?.toFixed(0) ?? '–',
            s(c.medianCpuSeconds),
            c.maxOtherCpuPercent?.toFixed(0) ?? '–',
          ];
      lines.push(row([`${w.id} ${w.title}`, w.input, c.name, ...cells]));
    }
  }
  lines.push('', '## Targets', '', '| target | status | measured |', '|---|---|---|');
  for (const t of targets) lines.push(row([t.target, `**${t.status}**`, t.measured]));
  lines.push(...registryTable(workloads));
  const checks = workloads.flatMap((w) =>
    w.candidates
      .filter((c) => c.check)
      .map((c) => `- ${w.id} (${w.input}) ${c.name}: ${JSON.stringify(c.check)}`),
  );
  if (checks.length > 0) lines.push('', '## Untimed checks of the outputs', '', ...checks);
  const notes = workloads.flatMap((w) => (w.notes ?? []).map((n) => `- ${w.id} (${w.input}): ${n}`));
  if (notes.length > 0) lines.push('', '## Notes', '', ...[...new Set(notes)]);
  return `${lines.join('\n')}\n`;
}

/**
 * The registry workloads' requests, counted from the registry's access log in the first measured
 * run, and the registry's own CPU per run (median; not part of "other CPU").
 * @param {Report['workloads']} workloads
 * @returns {string[]}
 */
function registryTable(workloads) {
  const registry = workloads.filter((w) => w.candidates.some((c) => c.medianSidecarCpuSeconds !== undefined));
  if (registry.length === 0) return [];
  const lines = [
    '',
    '## Registry side (R workloads)',
    '',
    "Requests counted from the registry's access log in the first measured run (untimed check); " +
      "registry CPU is the registry process's own CPU during the timed command (median), not counted as other CPU.",
    '',
    '| workload | input | tool | manifest digest kept | blobs uploaded | PATCH requests | mounted (tried) | blobs downloaded | HEAD | requests | registry CPU s |',
    '|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const w of registry) {
    for (const c of w.candidates) {
      const k = c.check ?? {};
      const has = k.requests !== undefined;
      lines.push(
        row([
          `${w.id} ${w.title}`,
          w.input,
          c.name,
          k.digestMatches === undefined ? '–' : k.digestMatches ? 'yes' : '**no**',
          has ? k.blobUploads : '–',
          has ? k.uploadPatches : '–',
          has ? `${k.blobMounts} (${k.mountAttempts})` : '–',
          has ? k.blobDownloads : '–',
          has ? k.headRequests : '–',
          has ? k.requests : '–',
          c.medianSidecarCpuSeconds === undefined ? '–' : s(c.medianSidecarCpuSeconds),
        ]),
      );
    }
  }
  return lines;
}

/**
 * `value` with this machine's paths spelled for a reader of the repository: the repository root
 * as `.`, the input cache (when given) as `$LAYERKIT_BENCH_CACHE`, this Node binary as `node`. Committed
 * results then name no path that exists only where they were measured.
 * @template T
 * @param {T} value
 * @param {{repo: string, cache?: string}} where
 * @returns {T}
 */
export function withPortablePaths(value, { repo, cache }) {
  const spellings = [
    [process.execPath, 'node'],
    [cache, '$LAYERKIT_BENCH_CACHE'],
    [repo, '.'],
  ]
    .filter(([path]) => path !== undefined)
    // Longest first: the cache may lie inside the repository.
    .sort(([a], [b]) => b.length - a.length);
  const portable = (text) => spellings.reduce((out, [path, name]) => out.split(path).join(name), text);
  return JSON.parse(JSON.stringify(value), (_key, item) =>
    typeof item === 'string' ? portable(item) : item,
  );
}

/**
 * Writes `<name>.json`, `<name>.md` and the chart `<name>.svg` into `dir`.
 * @param {Report} report
 * @param {string} dir
 * @param {string} name
 * @returns {{json: string, markdown: string, svg: string}}
 */
export function writeReport(report, dir, name) {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${name}.json`);
  const markdown = join(dir, `${name}.md`);
  const svg = join(dir, `${name}.svg`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdown, renderMarkdown(report));
  writeFileSync(svg, renderChart(report));
  return { json, markdown, svg };
}
