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
/** The generated small-file inputs (bench/lib/inputs.mjs), judged by name. */
const SMALLFILES = 'smallfiles-100k';
const HUGE = 'smallfiles-1m';

/**
 * Judges every target on the realistic-tree results.
 * @param {Array<{id: string, input: string, candidates: import('./stats.mjs').CandidateResult[], ratios: Record<string, number>}>} workloads
 * @param {string} realistic the realistic input's name
 * @param {number} nodeMajor the major version of the Node that ran layerkit (W2's limit depends on it)
 * @returns {TargetResult[]}
 */
export function judgeTargets(workloads, realistic, nodeMajor) {
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
  // Round 2 (issue 16): 20× faster than umoci on Node 24, 10× on older Nodes.
  const w2Limit = nodeMajor >= 24 ? 0.05 : 0.1;
  return [
    byRatio(
      `W2: commit after a 1-file change ≤ ${x(w2Limit)} umoci repack (Node ${nodeMajor})`,
      ratioTo('W2', 'umoci'),
      w2Limit,
    ),
    byRatio(
      'W2: commit after a 1-file change within 2× of the stat-walk floor',
      ratioTo('W2', 'stat-walk'),
      2,
    ),
    byRatio(
      'W2L: commit after a 1-file change in process (library, warm process) within 2× of the stat-walk floor',
      ratioTo('W2L', 'stat-walk'),
      2,
    ),
    byRatio(
      `W2L: the same on ${SMALLFILES} within 2× of the stat-walk floor`,
      ratioTo('W2L', 'stat-walk', SMALLFILES),
      2,
    ),
    byRatio(
      `W2: commit after a 1-file change on ${SMALLFILES} within 1.5× of the stat-walk floor`,
      ratioTo('W2', 'stat-walk', SMALLFILES),
      1.5,
    ),
    byRatio(
      `W2: commit after a 1-file change on ${HUGE} within 1.5× of the stat-walk floor (--huge)`,
      ratioTo('W2', 'stat-walk', HUGE),
      1.5,
    ),
    byRatio('W5: diff listing within 2× of the stat-walk floor find A B', ratioTo('W5', 'stat-walk'), 2),
    byRatio(
      `W5: diff listing on ${SMALLFILES} within 2× of the stat-walk floor find A B`,
      ratioTo('W5', 'stat-walk', SMALLFILES),
      2,
    ),
    byRatio(
      `W1: import of ${SMALLFILES} ≤ 0.8× tar | pigz -p 2 | sha256sum (level 6)`,
      ratioTo('W1', 'tar | pigz', SMALLFILES),
      0.8,
    ),
    {
      target: 'W3: content-mode commit after touch puts no unchanged file in the layer',
      status: w3 === undefined ? 'not run' : w3.layerFiles === 0 ? 'met' : 'missed',
      measured:
        w3 === undefined
          ? '–'
          : `${w3.addedLayers} layer(s) added: ${w3.layerFiles} regular files, ${w3.layerEntries} entries`,
    },
    byRatio('W6: unpack faster than umoci unpack', ratioTo('W6', 'umoci'), 1, true),
    byRatio('W6: unpack ≤ 0.8× sequential tar -xzf', ratioTo('W6', 'tar'), 0.8),
    ...overlayTargets(layerkitOf, workloads),
    {
      target: 'W8: peak RSS of a commit of a 2 GiB layer below 200 MiB',
      status: w8Rss === undefined ? 'not run' : w8Rss < 200 ? 'met' : 'missed',
      measured: w8Rss === undefined ? '– (run with --large)' : `${w8Rss.toFixed(0)} MiB`,
    },
    byRatio('W8: commit of a 2 GiB layer ≤ 0.5× umoci repack', ratioTo('W8', 'umoci', w8?.input), 0.5),
    ...registryTargets(workloads, ratioTo, byRatio),
  ];
}

/** W2M, W6M: a commit of a mounted image and a second mount take ≤ 0.1 s on every input that ran. */
function overlayTargets(layerkitOf, workloads) {
  const limit = 0.1;
  return [
    ['W2M', 'W2M: commit of a mount after a 1-file change ≤ 0.1 s, whatever the tree size'],
    ['W6M', 'W6M: a second mount of an image whose layers are cached ≤ 0.1 s'],
  ].map(([id, target]) => {
    const times = workloads
      .filter((w) => w.id === id)
      .map((w) => [w.input, layerkitOf(id, w.input)?.medianSeconds]);
    const known = times.filter(([, seconds]) => seconds !== undefined);
    return {
      target,
      status: known.length === 0 ? 'not run' : known.every(([, s]) => s <= limit) ? 'met' : 'missed',
      measured: known.length === 0 ? '–' : known.map(([input, s]) => `${input} ${s.toFixed(3)} s`).join(', '),
    };
  });
}

/** R1–R5: pushes and pulls against skopeo, the commit into a registry, memory of 2 GiB transfers. */
function registryTargets(workloads, ratioTo, byRatio) {
  const r2 = workloads.filter((w) => w.id === 'R2');
  const sameRepo = r2
    .find((w) => !w.title.includes('→ docker://B'))
    ?.candidates.find((c) => c.role === 'layerkit')?.check;
  const crossRepo = r2
    .find((w) => w.title.includes('→ docker://B'))
    ?.candidates.find((c) => c.role === 'layerkit')?.check;
  const r2Status =
    sameRepo === undefined || crossRepo === undefined
      ? 'not run'
      : sameRepo.digestMatches &&
          sameRepo.blobUploads === 2 &&
          crossRepo.digestMatches &&
          crossRepo.blobMounts === crossRepo.layers
        ? 'met'
        : 'missed';
  const r5 = workloads.filter((w) => w.id === 'R5');
  const r5Rss = r5.map((w) => ({
    what: w.title.includes('pull') ? 'pull' : 'push',
    rss: w.candidates.find((c) => c.role === 'layerkit')?.peakRssMiB,
  }));
  const r5Known = r5Rss.length > 0 && r5Rss.every((r) => r.rss !== undefined);
  return [
    byRatio('R1: push into an empty repository ≤ 0.5× skopeo copy', ratioTo('R1', 'skopeo'), 0.5),
    {
      target:
        'R2: a push on top of a base in the repository sends only the new layer and the config; across repositories every layer is mounted',
      status: r2Status,
      measured:
        r2Status === 'not run'
          ? '–'
          : `same repository: ${sameRepo.blobUploads} blob(s) uploaded, digest ${sameRepo.digestMatches ? 'kept' : 'changed'}; ` +
            `A → B: ${crossRepo.blobMounts} of ${crossRepo.layers} layers mounted, ${crossRepo.blobUploads} blob(s) uploaded`,
    },
    byRatio('R3: pull into an empty layout ≤ 0.7× skopeo copy', ratioTo('R3', 'skopeo'), 0.7),
    byRatio(
      'R4: commit straight to a registry within 1.3× of the same commit into a layout',
      ratioTo('R4', 'layerkit commit → oci'),
      1.3,
    ),
    {
      target: 'R5: peak RSS of pushing and of pulling a 2 GiB layer below 200 MiB',
      status: !r5Known ? 'not run' : r5Rss.every((r) => r.rss < 200) ? 'met' : 'missed',
      measured: !r5Known
        ? '– (run with --large)'
        : r5Rss.map((r) => `${r.what} ${r.rss.toFixed(0)} MiB`).join(', '),
    },
  ];
}
