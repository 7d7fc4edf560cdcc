/**
 * The machine and tool versions a result was measured with, so numbers are never quoted without
 * their context.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

/** First line of a tool's version output, or `absent`. */
function version(file, args = ['--version']) {
  const result = spawnSync(file, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) return 'absent';
  return `${result.stdout}${result.stderr}`.trim().split('\n')[0];
}

/**
 * Describes this machine, the Node runtime, the peer tools and the repository commit.
 * @param {string} repo repository root
 * @param {string} cache cache directory (its file system type matters for I/O)
 * @param {{path: string, version: string}} node the Node running layerkit's commands (`--node`)
 * @returns {Record<string, unknown>}
 */
export function describeMachine(repo, cache, node) {
  const osRelease = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)"?$/m)?.[1];
  const commit = spawnSync('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], {
    encoding: 'utf8',
  }).stdout.trim();
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpuCount: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${osRelease ?? 'Linux'}, kernel ${release()}`,
    // The Node of layerkit's commands; the harness's when it differs (`--node`).
    node: node.version,
    ...(node.version === process.version ? {} : { harnessNode: process.version }),
    nodeBinary: node.path,
    fileSystem: version('stat', ['-f', '-c', '%T', cache]),
    commit,
    tools: {
      umoci: version('umoci'),
      skopeo: version('skopeo'),
      buildah: version('buildah'),
      tar: version('tar'),
      gzip: version('gzip'),
      pigz: version('pigz'),
      sha256sum: version('sha256sum'),
    },
  };
}
