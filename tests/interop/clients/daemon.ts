import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireTool, type ToolName } from './tools.js';

/** A long-running client (registry, containerd, dockerd) started by this test process. */
export interface Daemon {
  readonly name: ToolName;
  readonly pid: number;
  /** File receiving the daemon's stdout and stderr. */
  readonly logPath: string;
  /** True once the process has exited. */
  exited(): boolean;
  /** The daemon's log so far. */
  log(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Kills a daemon if the test process exits without stopping it (crash, worker teardown). */
function killOnExit(child: ChildProcess): () => void {
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  return () => process.off('exit', kill);
}

/** Starts `name args…` in the background, its output appended to `logPath`. */
export function startDaemon(
  name: ToolName,
  args: readonly string[],
  logPath: string,
  env: Readonly<Record<string, string>> = {},
): Daemon {
  const binary = requireTool(name);
  const logFd = openSync(logPath, 'a');
  const child = spawn(binary, args, { env: { ...process.env, ...env }, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  if (child.pid === undefined) throw new Error(`interop: could not start ${name} (${binary})`);
  const pid = child.pid;
  let gone = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      gone = true;
      resolve();
    }),
  );
  const forgetExitHook = killOnExit(child);
  return {
    name,
    pid,
    logPath,
    exited: () => gone,
    log: () => readFileSync(logPath, 'utf8'),
    async stop(graceMs = 10_000) {
      forgetExitHook();
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/**
 * Polls `ready` every 100 ms until it returns true. Throws with the daemon's log tail if the
 * daemon exits first or `timeoutMs` passes.
 */
export async function waitUntilReady(
  daemon: Daemon,
  ready: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready().catch(() => false)) return;
    const tail = () => daemon.log().slice(-3000);
    if (daemon.exited()) throw new Error(`interop: ${daemon.name} exited during startup:\n${tail()}`);
    if (Date.now() > deadline) {
      throw new Error(`interop: ${daemon.name} not ready after ${timeoutMs} ms:\n${tail()}`);
    }
    await sleep(100);
  }
}
