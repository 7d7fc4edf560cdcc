/**
 * Ctrl-C, `kill` and a closed terminal for commands that write: the first SIGINT, SIGTERM (what
 * `kill`, systemd and CI runners send) or SIGHUP aborts a signal that the command's progress
 * callbacks check, so the operation fails at its next checkpoint and the library's own failure
 * path removes its temp files and leaves the destination untouched. The exit status is then
 * 128 + the signal's number, as shells report it; a second signal exits at once.
 */

/** The signals a writing command stops cleanly on, and the exit status of each (128 + its number). */
const EXIT_STATUS_OF = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** The exit status after Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = EXIT_STATUS_OF.SIGINT;

/** The exit statuses of an interrupted command: {@link EXIT_INTERRUPTED}, 143 (SIGTERM), 129 (SIGHUP). */
export const INTERRUPTED_EXIT_STATUSES: ReadonlySet<number> = new Set(Object.values(EXIT_STATUS_OF));

/** Why an interrupted command stopped, and the exit status that says so. */
export class InterruptedError extends Error {
  /** 128 + the number of the signal that stopped the command. */
  readonly exitStatus: number;

  constructor(exitStatus: number = EXIT_INTERRUPTED) {
    super('interrupted; the destination was left as it was');
    this.name = 'InterruptedError';
    this.exitStatus = exitStatus;
  }
}

/** A signal that SIGINT, SIGTERM or SIGHUP aborts, until `dispose` restores Node's default handling. */
export interface Interruption {
  /** Aborted, with an {@link InterruptedError} as its reason, by the first of those signals. */
  signal: AbortSignal;
  dispose(): void;
}

/** Starts routing SIGINT, SIGTERM and SIGHUP to a fresh signal (see the module comment). */
export function interruptOnSignals(): Interruption {
  const controller = new AbortController();
  const handlers = Object.entries(EXIT_STATUS_OF).map(([name, status]) => {
    const handler = () => {
      if (controller.signal.aborted) process.exit(status);
      controller.abort(new InterruptedError(status));
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}
