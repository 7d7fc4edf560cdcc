/**
 * Command-line options of `pnpm bench` (bench/run.mjs).
 */
import { parseArgs } from 'node:util';

/** Usage text printed by --help. */
export const USAGE = `usage: node bench/run.mjs [options]
  --quick             smoke run: one tiny generated tree, no buildah, 0 warm-up + 2 rounds, named "quick"
  --large             add W8 and R5 (2 x 1 GiB incompressible + text; slow, ~2.2 GB of disk, R5 ~9 GB)
  --runs N            measured rounds per workload (default 5; quick 2)
  --warmup N          warm-up rounds, not counted (default 1; quick 0)
  --large-runs N      measured rounds for W8 and R5 (default 3)
  --only LIST         workload ids to run, e.g. W2,W5 or R1,R2,R3,R4
  --cache DIR         input/work cache (default $LAYERKIT_BENCH_CACHE or /var/cache/layerkit-bench)
  --out DIR           results directory (default bench/results)
  --name NAME         results file name (default latest; quick: quick)
  --node PATH|MAJOR   Node.js running layerkit's commands: a binary, or a major (24) or version
                      that scripts/with-node.sh installs, pinned (default: the Node running this)
  --layerkit CMD      command running the CLI (default: NODE packages/cli/dist/layerkit.js)
`;

/**
 * Parses argv into settings.
 * @param {string[]} argv
 * @param {string} repo repository root
 */
export function parseOptions(argv, repo) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      large: { type: 'boolean', default: false },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      'large-runs': { type: 'string', default: '3' },
      only: { type: 'string' },
      cache: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      layerkit: { type: 'string' },
      node: { type: 'string' },
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
    runs: count(values.runs ?? (values.quick ? '2' : '5'), 'runs'),
    warmup: count(values.warmup ?? (values.quick ? '0' : '1'), 'warmup'),
    largeRuns: count(values['large-runs'], 'large-runs'),
    only: values.only?.split(',').map((id) => id.trim().toUpperCase()),
    cache: values.cache ?? process.env.LAYERKIT_BENCH_CACHE ?? '/var/cache/layerkit-bench',
    out: values.out ?? `${repo}/bench/results`,
    name: values.name ?? (values.quick ? 'quick' : 'latest'),
    layerkit: values.layerkit,
    node: values.node,
  };
}
