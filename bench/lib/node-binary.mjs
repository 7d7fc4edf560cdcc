/**
 * `--node`: the Node.js binary that runs layerkit's commands in a bench run (the harness itself
 * stays on the Node that started it).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The binary `spec` names and its version: a path to a node binary, or a major (or exact
 * version) that scripts/with-node.sh resolves to its pinned official build, installing it on
 * first use. Without `spec`, the Node running the harness.
 * @param {string | undefined} spec
 * @param {string} repo repository root
 * @returns {{path: string, version: string}}
 */
export function resolveNode(spec, repo) {
  if (spec === undefined) return { path: process.execPath, version: process.version };
  const path = /^\d+(\.\d+\.\d+)?$/.test(spec) ? installed(spec, repo) : spec;
  const probe = spawnSync(path, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`--node ${spec}: ${path} does not run (${probe.error?.message ?? probe.stderr.trim()})`);
  }
  return { path, version: probe.stdout.trim() };
}

/** The path of the pinned build of `version` (a major or x.y.z), installed by scripts/with-node.sh. */
function installed(version, repo) {
  const result = spawnSync(
    'bash',
    [join(repo, 'scripts/with-node.sh'), version, 'node', '-p', 'process.execPath'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (result.status !== 0) throw new Error(`--node ${version}: scripts/with-node.sh failed`);
  return result.stdout.trim();
}
