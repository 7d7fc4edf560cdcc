/**
 * One timed run of a whole command: wall time from the harness clock, peak RSS and CPU time
 * from GNU time (wait4 rusage, so a pipeline reports its largest single process), and the CPU
 * that other processes used meanwhile (from /proc/stat) so noisy runs can be told apart.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tail } from './shell.mjs';

/** Kernel clock ticks per second for /proc/stat (USER_HZ is 100 on every Linux build). */
const USER_HZ = 100;
const TIME = '/usr/bin/time';

/**
 * @typedef {object} Measurement
 * @property {number} seconds wall-clock time of the whole command
 * @property {number} rssMiB peak resident set size of the largest process, MiB
 * @property {number} cpuSeconds user + system CPU of the command and its children
 * @property {number} otherCpuPercent CPU used by everything else meanwhile, % of one core
 * @property {string} stdout the command's standard output (tail)
 * @property {number} [sidecarCpuSeconds] CPU of the server the command talked to (a registry),
 *   not counted in `otherCpuPercent`
 */

/**
 * CPU seconds (user + system) process `pid` has used so far, from /proc; 0 once it is gone.
 * @param {number} pid
 * @returns {number}
 */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return 0;
  }
}

/** Busy ticks of the whole machine (everything but idle and iowait). */
function busyTicks() {
  const fields = readFileSync('/proc/stat', 'latin1')
    .split('\n', 1)[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return user + nice + system + irq + softirq + steal;
}

/**
 * Times `script` under bash (`pipefail` on) via GNU time. Throws when the command fails, with
 * its stderr tail. With `sidecarPid` (a server the command talks to, e.g. the registry), that
 * process's CPU during the run is reported apart and left out of `otherCpuPercent`.
 * @param {string} script
 * @param {{sidecarPid?: number}} [options]
 * @returns {Measurement}
 */
export function timeScript(script, { sidecarPid } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'layerkit-bench-time-'));
  const report = join(dir, 'time');
  try {
    const args = ['-f', '%e %M %U %S', '-o', report, 'bash', '-c', `set -o pipefail\n${script}`];
    const sidecarBefore = sidecarPid === undefined ? 0 : processCpuSeconds(sidecarPid);
    const ticksBefore = busyTicks();
    const start = process.hrtime.bigint();
    const result = spawnSync(TIME, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const busySeconds = (busyTicks() - ticksBefore) / USER_HZ;
    const sidecarCpuSeconds =
      sidecarPid === undefined ? undefined : processCpuSeconds(sidecarPid) - sidecarBefore;
    if (result.error) throw new Error(`${TIME}: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`exit ${result.status}: ${script}\n${tail(result.stderr)}`);
    const [, rssKiB, user, system] = readFileSync(report, 'utf8')
      .trim()
      .split('\n')
      .at(-1)
      .split(' ')
      .map(Number);
    const cpuSeconds = user + system;
    return {
      seconds,
      rssMiB: rssKiB / 1024,
      cpuSeconds,
      otherCpuPercent: Math.max(0, ((busySeconds - cpuSeconds - (sidecarCpuSeconds ?? 0)) / seconds) * 100),
      stdout: tail(result.stdout, 3),
      ...(sidecarCpuSeconds === undefined ? {} : { sidecarCpuSeconds }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
