#!/usr/bin/env node
/**
 * W2L: the library's `commit` in one warm Node process, as a build tool calls it (no process
 * start, no module load). Takes the CLI's `commit` arguments; prints one JSON line: each timed
 * commit's wall and CPU milliseconds, their medians and the process's peak RSS.
 *
 *   node bench/in-process/commit.mjs [--warmup N] [--runs N] [--mode MODE] BASE ROOTFS DEST
 *
 * BASE and DEST are `oci:LAYOUT:TAG` references. Needs `pnpm build` (it imports packages/image/dist).
 */
import { parseArgs } from 'node:util';
import { commit } from '../../packages/image/dist/node/index.js';
import { median } from '../lib/stats.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    warmup: { type: 'string', default: '2' },
    runs: { type: 'string', default: '5' },
    mode: { type: 'string' },
  },
});
if (positionals.length !== 3) {
  throw new Error('usage: commit.mjs [--warmup N] [--runs N] [--mode MODE] BASE ROOTFS DEST');
}
const [base, rootfs, dest] = positionals;
const options = { base, rootfs, dest, ...(values.mode === undefined ? {} : { mode: values.mode }) };

for (let i = 0; i < Number(values.warmup); i++) await commit(options);
const wallMs = [];
const cpuMs = [];
for (let i = 0; i < Number(values.runs); i++) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await commit(options);
  wallMs.push(performance.now() - start);
  const used = process.cpuUsage(cpu);
  cpuMs.push((used.user + used.system) / 1000);
}
process.stdout.write(
  `${JSON.stringify({
    wallMs,
    cpuMs,
    medianWallMs: median(wallMs),
    medianCpuMs: median(cpuMs),
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
