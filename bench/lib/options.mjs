/**
 * Command-line options of `pnpm bench` (bench/run.mjs).
 */
import { parseArgs } from 'node:util';

/** Usage text printed by --help. */
export const USAGE = `usage: node bench/run.mjs [options]
  --quick             smoke run: one tiny generated tree, no buildah, 0 warm-up + 2 rounds, named "quick"
  --large             add W8 and R5 (2 x 1 GiB incompressible + text; slow, ~2.2 GB of disk, R5 ~9 GB)
  --huge              add W2 and W2L on 1,000,000 small files (smallfiles-1m; built once, ~4.5 GB of
                      disk, a 1M-entry image and an unpack per round: slow; layerkit and find only)
  --runs N            measured rounds per workload (default 5; quick 2)
  --warmup N          warm-up rounds, not counted (default 1; quick 0)
  --large-runs N      measured rounds for W8 and R5 (default 3)
  --only LIST         workload ids to run, e.g. W2,W5 or R1,R2,R3,R4
  --inputs LIST       input names to run them on, e.g. smallfiles-1m (default: all)
  --cache DIR         input/work cache (default $LAYERKIT_BENCH_CACHE or /var/cache/layerkit-bench)
  --out DIR           results directory (default bench/results)
  --name NAME         results file name (default latest; quick: quick)
  --node PATH|MAJOR   Node.js running layerkit's commands: a binary, or a major (24) or version
                      that scripts/with-node.sh installs, pinned (default: the Node running this)
  --layerkit CMD      command running the CLI (default: NODE packages/cli/dist/layerkit.js)
Your own inputs, besides the built-in ones (each may be repeated; --only picks among them too):
  --tree DIR          W2 (commit after a 1-file change, on an image of a copy of DIR) and W5
                      (diff of DIR against a copy with 10% of its files changed); DIR is only read
  --pair DIR_A DIR_B  W5: diff of the two trees as they are (read only), beside find A B and diff -rq
  --image REF         W2, W5 (diff of the image against its unpacked rootfs after a 1-file change)
                      and W6 (unpack) on oci:DIR[:TAG], oci-archive:FILE[:TAG] or
                      docker-archive:FILE[:NAME[:TAG]] (copied into a layout with skopeo, untimed)
`;

/**
 * The `--pair DIR_A DIR_B` arguments: each `--pair` value must be followed by one positional
 * argument (DIR_B), and no other positional argument is allowed.
 * @param {Array<{kind: string, name?: string, value?: string}>} tokens parseArgs tokens
 * @returns {Array<[string, string]>}
 */
function pairsOf(tokens) {
  const pairs = [];
  for (const [index, token] of tokens.entries()) {
    if (token.kind !== 'positional') continue;
    const before = tokens[index - 1];
    if (before?.kind !== 'option' || before.name !== 'pair') {
      throw new Error(`unexpected argument ${token.value}: only --pair takes two (DIR_A DIR_B)`);
    }
    pairs.push([before.value, token.value]);
  }
  const given = tokens.filter((token) => token.kind === 'option' && token.name === 'pair').length;
  if (pairs.length !== given) throw new Error('--pair wants two directories: --pair DIR_A DIR_B');
  return pairs;
}

/**
 * Parses argv into settings.
 * @param {string[]} argv
 * @param {string} repo repository root
 */
export function parseOptions(argv, repo) {
  const { values, tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    tokens: true,
    options: {
      quick: { type: 'boolean', default: false },
      large: { type: 'boolean', default: false },
      huge: { type: 'boolean', default: false },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      'large-runs': { type: 'string', default: '3' },
      only: { type: 'string' },
      inputs: { type: 'string' },
      cache: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      layerkit: { type: 'string' },
      node: { type: 'string' },
      tree: { type: 'string', multiple: true, default: [] },
      pair: { type: 'string', multiple: true, default: [] },
      image: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.node !== undefined && values.layerkit !== undefined) {
    throw new Error('--node and --layerkit both say how to run the CLI: give one');
  }
  const count = (text, flag) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} wants a whole number, got ${text}`);
    return n;
  };
  return {
    help: values.help,
    quick: values.quick,
    large: values.large,
    huge: values.huge,
    runs: count(values.runs ?? (values.quick ? '2' : '5'), 'runs'),
    warmup: count(values.warmup ?? (values.quick ? '0' : '1'), 'warmup'),
    largeRuns: count(values['large-runs'], 'large-runs'),
    only: values.only?.split(',').map((id) => id.trim().toUpperCase()),
    inputs: values.inputs?.split(',').map((name) => name.trim()),
    cache: values.cache ?? process.env.LAYERKIT_BENCH_CACHE ?? '/var/cache/layerkit-bench',
    out: values.out ?? `${repo}/bench/results`,
    name: values.name ?? (values.quick ? 'quick' : 'latest'),
    layerkit: values.layerkit,
    node: values.node,
    user: { trees: values.tree, pairs: pairsOf(tokens), images: values.image },
  };
}
