/**
 * Ctrl-C for commands that write: the first SIGINT aborts a signal that the command's progress
 * callbacks check, so the operation fails at its next checkpoint and the library's own failure
 * path removes its temp files and leaves the destination untouched. A second SIGINT exits at once.
 */

/** The exit status after an interruption (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** Why an interrupted command stopped. */
export class InterruptedError extends Error {
  constructor() {
    super('interrupted; the destination was left as it was');
    this.name = 'InterruptedError';
  }
}

/** A signal that SIGINT aborts, until `dispose` restores Node's default handling. */
export interface Interruption {
  signal: AbortSignal;
  dispose(): void;
}

/** Starts routing SIGINT to a fresh signal (see the module comment). */
export function interruptOnSigint(): Interruption {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort(new InterruptedError());
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
