#!/usr/bin/env node
/**
 * The results as an SVG bar chart (hand-written, no dependency): one group per workload and
 * input, one horizontal bar per tool with its median time, layerkit first and drawn apart; each
 * group is scaled to its own slowest tool (workloads differ by orders of magnitude), and each
 * peer's bar says layerkit / that tool. Deterministic: the same report gives the same bytes.
 *
 *   node bench/lib/chart.mjs bench/results/latest.json > bench/results/latest.svg
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const WIDTH = 960;
const LABEL = 300; // the tool names' column
const BAR = 460; // the longest bar
const ROW = 18;
const HEADER = 24;
const MARGIN = 16;
const COLORS = { layerkit: '#2f6fdf', peer: '#9aa3ad', floor: '#c9a227', baseline: '#9aa3ad' };

/** Text made safe for SVG character data and attribute values. */
export function escapeXml(text) {
  return String(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

const seconds = (n) => (n < 1 ? `${n.toFixed(3)} s` : `${n.toFixed(2)} s`);
const px = (n) => Number(n.toFixed(1));

/**
 * Renders a bench report (bench/lib/report.mjs `Report`) as an SVG document.
 * @param {import('./report.mjs').Report} report
 * @returns {string}
 */
export function renderChart({ machine, workloads }) {
  const body = [];
  let y = MARGIN + 40;
  for (const w of workloads) {
    // layerkit first, then the others in the report's order.
    const candidates = [...w.candidates].sort((a, b) => (b.role === 'layerkit') - (a.role === 'layerkit'));
    const slowest = Math.max(0, ...candidates.map((c) => c.medianSeconds ?? 0));
    body.push(
      `<text x="${MARGIN}" y="${y + 16}" class="workload">${escapeXml(`${w.id} ${w.title}`)} <tspan class="input">(${escapeXml(w.input)})</tspan></text>`,
    );
    y += HEADER;
    for (const c of candidates) {
      const base = y + 13;
      body.push(
        `<text x="${MARGIN + LABEL - 8}" y="${base}" class="tool" text-anchor="end">${escapeXml(c.name)}</text>`,
      );
      if (c.medianSeconds === undefined || slowest === 0) {
        body.push(
          `<text x="${MARGIN + LABEL}" y="${base}" class="value">${escapeXml(c.error ? 'failed' : 'not run')}</text>`,
        );
      } else {
        const width = Math.max(1, (c.medianSeconds / slowest) * BAR);
        const ratio = w.ratios?.[c.name];
        const value =
          c.role === 'layerkit' || ratio === undefined
            ? seconds(c.medianSeconds)
            : `${seconds(c.medianSeconds)} · layerkit ${ratio.toFixed(2)}×`;
        body.push(
          `<rect x="${MARGIN + LABEL}" y="${y + 2}" width="${px(width)}" height="${ROW - 4}" fill="${COLORS[c.role] ?? COLORS.peer}"><title>${escapeXml(`${c.name}: median ${seconds(c.medianSeconds)}`)}</title></rect>`,
          `<text x="${px(MARGIN + LABEL + width + 6)}" y="${base}" class="value">${escapeXml(value)}</text>`,
        );
      }
      y += ROW;
    }
    y += 8;
  }
  const height = y + MARGIN;
  const legend =
    'blue: layerkit, grey: peers, gold: a floor (the least the work takes); each group scaled to its slowest tool';
  const caption =
    machine === undefined
      ? legend
      : `${machine.cpuModel}, ${machine.cpuCount} CPUs, Node ${machine.node}; layerkit at ${machine.commit}. ${legend}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    '<style>.title{font-size:16px;font-weight:bold}.caption{fill:#555}.workload{font-weight:bold}.input{font-weight:normal;fill:#555}.tool{fill:#222}.value{fill:#333}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="${MARGIN}" y="${MARGIN + 8}" class="title">layerkit beside its peers: median seconds per workload (ratio = layerkit / tool, below 1 is faster)</text>`,
    `<text x="${MARGIN}" y="${MARGIN + 26}" class="caption">${escapeXml(caption)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: node bench/lib/chart.mjs RESULTS.json > CHART.svg\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(renderChart(JSON.parse(readFileSync(file, 'utf8'))));
  }
}
