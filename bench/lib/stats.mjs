/**
 * Summaries of repeated runs: medians (robust to the 10–30% host noise seen here), ranges, and
 * the layerkit/peer ratios the report prints.
 */

/**
 * The median of `values` (mean of the middle two for an even count).
 * @param {number[]} values
 * @returns {number}
 */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * @typedef {object} CandidateResult
 * @property {string} name
 * @property {string} role
 * @property {import('./timing.mjs').Measurement[]} runs measured runs (warm-up excluded)
 * @property {number} [medianSeconds]
 * @property {number} [minSeconds]
 * @property {number} [maxSeconds]
 * @property {number} [peakRssMiB] largest peak RSS over the runs
 * @property {number} [medianCpuSeconds]
 * @property {number} [maxOtherCpuPercent]
 * @property {number} [medianSidecarCpuSeconds] registry workloads: the registry's CPU per run
 * @property {object} [check] what the untimed check found
 * @property {string} [error] why the candidate stopped
 */

/**
 * Adds medians, ranges and peaks to a candidate's raw runs.
 * @param {CandidateResult} result
 * @returns {CandidateResult}
 */
export function summarize(result) {
  if (result.runs.length === 0) return result;
  const seconds = result.runs.map((r) => r.seconds);
  return {
    ...result,
    medianSeconds: median(seconds),
    minSeconds: Math.min(...seconds),
    maxSeconds: Math.max(...seconds),
    peakRssMiB: Math.max(...result.runs.map((r) => r.rssMiB)),
    medianCpuSeconds: median(result.runs.map((r) => r.cpuSeconds)),
    maxOtherCpuPercent: Math.max(...result.runs.map((r) => r.otherCpuPercent)),
    ...(result.runs[0].sidecarCpuSeconds === undefined
      ? {}
      : { medianSidecarCpuSeconds: median(result.runs.map((r) => r.sidecarCpuSeconds)) }),
  };
}

/**
 * layerkit's median time divided by each other candidate's (below 1: layerkit is faster).
 * @param {CandidateResult[]} candidates
 * @returns {Record<string, number>}
 */
export function ratios(candidates) {
  const layerkit = candidates.find((c) => c.role === 'layerkit');
  const out = {};
  if (layerkit?.medianSeconds === undefined) return out;
  for (const c of candidates) {
    if (c !== layerkit && c.medianSeconds !== undefined)
      out[c.name] = layerkit.medianSeconds / c.medianSeconds;
  }
  return out;
}
