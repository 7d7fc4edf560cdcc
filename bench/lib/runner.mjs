/**
 * Runs one workload round-robin: every round runs each candidate once (reset, then the timed
 * command), so slow drifts and background noise hit all tools alike. Warm-up rounds are not
 * counted. Every reset is followed by an untimed `sync`. Outputs are checked right after the first measured run. A failing candidate is recorded with its error and dropped from later rounds.
 * `setup`, `reset` and `teardown` may be async (the registry workloads start servers in them).
 */
import { spawnSync } from 'node:child_process';
import { ratios, summarize } from './stats.mjs';
import { timeScript } from './timing.mjs';

/**
 * @param {import('./workloads.mjs').Workload} workload
 * @param {{runs: number, warmup: number}} settings
 */
export async function runWorkload(workload, { runs, warmup }) {
  const measured = workload.runs ?? runs;
  const results = workload.candidates.map((c) => ({ name: c.name, role: c.role, runs: [] }));
  await workload.setup?.();
  try {
    for (let round = 0; round < warmup + measured; round++) {
      for (const [i, candidate] of workload.candidates.entries()) {
        const result = results[i];
        if (result.error !== undefined) continue;
        try {
          await candidate.reset?.();
          // A reset copies or unpacks hundreds of MB; flushed here, untimed, so a tool that
          // fsyncs (ext4 commits the journal with all ordered dirty data) does not pay for it.
          spawnSync('sync');
          const script = typeof candidate.script === 'function' ? candidate.script() : candidate.script;
          const timed = timeScript(script, { sidecarPid: workload.sidecarPid?.() });
          const m = candidate.fromOutput?.(timed) ?? timed;
          const label = round < warmup ? 'warm-up' : `${round - warmup + 1}/${measured}`;
          process.stderr.write(
            `bench: ${workload.id} ${workload.input} ${label} ${candidate.name}: ${m.seconds.toFixed(3)} s, ${m.rssMiB.toFixed(0)} MiB\n`,
          );
          if (round >= warmup) result.runs.push(m);
          if (round === warmup && candidate.check) result.check = await checkOutput(candidate);
        } catch (error) {
          result.error = error.message;
          process.stderr.write(`bench: ${workload.id} ${candidate.name} failed: ${error.message}\n`);
        }
      }
    }
  } finally {
    await workload.teardown?.();
  }
  const candidates = results.map(summarize);
  return {
    id: workload.id,
    title: workload.title,
    input: workload.input,
    notes: workload.notes,
    runs: measured,
    candidates,
    ratios: ratios(candidates),
  };
}

/** Untimed check of what a candidate just wrote (before the next candidate resets shared dirs). */
async function checkOutput(candidate) {
  try {
    return await candidate.check();
  } catch (error) {
    return { error: error.message };
  }
}
