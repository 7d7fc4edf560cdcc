/** `pnpm bench --node`: which Node runs layerkit's commands (bench/lib/node-binary.mjs). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** resolveNode(spec) in a fresh Node (the bench's libraries are plain ES modules without types). */
function resolveNode(spec: string | undefined): { path: string; version: string } | { error: string } {
  const script = `import('./bench/lib/node-binary.mjs').then(
    (m) => { try { console.log(JSON.stringify(m.resolveNode(process.argv[1], process.cwd()))) }
             catch (e) { console.log(JSON.stringify({ error: e.message })) } })`;
  const result = spawnSync(process.execPath, ['-e', script, ...(spec === undefined ? [] : [spec])], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

describe('resolveNode', () => {
  it('is the Node running the harness without --node', () => {
    expect(resolveNode(undefined)).toEqual({ path: process.execPath, version: process.version });
  });

  it('takes a binary and asks it its version', () => {
    expect(resolveNode(process.execPath)).toEqual({ path: process.execPath, version: process.version });
  });

  it('refuses a binary that does not run, naming it', () => {
    expect(resolveNode('/nonexistent/node')).toEqual({ error: expect.stringMatching(/\/nonexistent\/node/) });
  });
});
