import { runTool, type ToolName } from './tools.js';

/** How each client reports its version (first line of the output is kept). */
const VERSION_ARGS: Partial<Record<ToolName, readonly string[]>> = {
  skopeo: ['--version'],
  umoci: ['--version'],
  'oci-image-tool': ['--version'],
  buildah: ['--version'],
  podman: ['--version'],
  runc: ['--version'],
  'docker-registry': ['--version'],
  containerd: ['--version'],
  ctr: ['--version'],
  dockerd: ['--version'],
  docker: ['--version'],
};

/**
 * The version line of every client the harness drives, e.g. `{ skopeo: 'skopeo version 1.9.3' }`.
 * Fails (with the package to install) if any client is missing.
 */
export async function clientVersions(): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  for (const [name, args] of Object.entries(VERSION_ARGS) as [ToolName, readonly string[]][]) {
    const { stdout } = await runTool(name, args);
    versions[name] = stdout.split('\n')[0]?.trim() ?? '';
  }
  return versions;
}
