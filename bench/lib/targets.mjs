/**
 * The performance targets, judged from the results: met, missed, or not run (a workload
 * or candidate missing, e.g. no --large).
 */

/**
 * @typedef {object} TargetResult
 * @property {string} target
 * @property {'met' | 'missed' | 'not run'} status
 * @property {string} measured
 */

const x = (n) => `${n.toFixed(2)}×`;

/**
 * Judges every target on the realistic-tree results.
 * @param {Array<{id: string, input: string, candidates: import('./stats.mjs').CandidateResult[], ratios: Record<string, number>}>} workloads
 * @param {string} realistic the realistic input's name
 * @returns {TargetResult[]}
 */
export function judgeTargets(workloads, realistic) {
  const find = (id, input = realistic) => workloads.find((w) => w.id === id && w.input === input);
  const ratioTo = (id, prefix, input) => {
    const w = find(id, input);
    const key = w && Object.keys(w.ratios).find((name) => name.startsWith(prefix));
    return key === undefined ? undefined : w.ratios[key];
  };
  const layerkitOf = (id, input) => find(id, input)?.candidates.find((c) => c.role === 'layerkit');
  const byRatio = (target, ratio, limit, strict = false) => ({
    target,
    status: ratio === undefined ? 'not run' : (strict ? ratio < limit : ratio <= limit) ? 'met' : 'missed',
    measured: ratio === undefined ? '–' : `layerkit/peer = ${x(ratio)} (limit ${x(limit)})`,
  });

  const w3 = layerkitOf('W3')?.check;
  const w8 = find('W8', workloads.find((w) => w.id === 'W8')?.input);
  const w8Rss = w8?.candidates.find((c) => c.role === 'layerkit')?.peakRssMiB;
  return [
    byRatio('W2: commit after a 1-file change ≥ 10× faster than umoci repack', ratioTo('W2', 'umoci'), 0.1),
    byRatio(
      'W2: commit after a 1-file change within 2× of the stat-walk floor',
      ratioTo('W2', 'stat-walk'),
      2,
    ),
    byRatio('W1: import ≤ 0.8× of tar | pigz -p 2 | sha256sum (level 6)', ratioTo('W1', 'tar | pigz'), 0.8),
    {
      target: 'W3: content-mode commit after touch puts no unchanged file in the layer',
      status: w3 === undefined ? 'not run' : w3.layerFiles === 0 ? 'met' : 'missed',
      measured:
        w3 === undefined
          ? '–'
          : `${w3.addedLayers} layer(s) added: ${w3.layerFiles} regular files, ${w3.layerEntries} entries`,
    },
    byRatio('W6: unpack faster than umoci unpack', ratioTo('W6', 'umoci'), 1, true),
    {
      target: 'W8: peak RSS of a commit of a 2 GiB layer below 200 MiB',
      status: w8Rss === undefined ? 'not run' : w8Rss < 200 ? 'met' : 'missed',
      measured: w8Rss === undefined ? '– (run with --large)' : `${w8Rss.toFixed(0)} MiB`,
    },
  ];
}
