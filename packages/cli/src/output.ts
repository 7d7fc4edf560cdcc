/**
 * Where a command writes: results to stdout, progress and warnings to stderr — never mixed.
 * Progress is shown only when stderr is a TTY and `--quiet` is off. Warnings, and results shown
 * on a terminal, have their control characters escaped; results piped elsewhere stay byte-exact
 * (what `docker diff` prints, for scripts).
 */
import type { Writable } from 'node:stream';
import { escapeControls } from './terminal-text.js';

/** A command's output channels. */
export interface Output {
  /** Writes a line of results to stdout. */
  line(text: string): void;
  /** Writes a warning line to stderr. */
  warn(text: string): void;
  /** Writes a line of information about the results (not a result itself) to stderr. */
  note(text: string): void;
  /**
   * Updates the single progress line on stderr (a no-op when not a TTY or when quiet), at most
   * ten times a second unless `now` (the first line of a new phase).
   */
  progress(text: string, now?: boolean): void;
  /** Clears the progress line, if any. */
  endProgress(): void;
}

/** Creates the process's output channels. */
export function createOutput(
  stdout: Writable & { isTTY?: boolean },
  stderr: Writable & { isTTY?: boolean },
  quiet: boolean,
): Output {
  const showProgress = Boolean(stderr.isTTY) && !quiet;
  const shown = stdout.isTTY ? escapeControls : (text: string) => text;
  let progressShown = false;
  let lastDraw = 0;
  const endProgress = () => {
    if (progressShown) stderr.write('\r\x1b[2K');
    progressShown = false;
  };
  /** One line on stderr, in place of the progress line if one is shown. */
  const toStderr = (prefix: string, text: string) => {
    endProgress();
    stderr.write(`${prefix}${escapeControls(text).replace(/\n/g, ' ')}\n`);
  };
  return {
    line: (text) => stdout.write(`${shown(text)}\n`),
    warn: (text) => toStderr('layerkit: warning: ', text),
    note: (text) => toStderr('', text),
    progress: (text, immediate = false) => {
      if (!showProgress) return;
      // Redraw at most ten times a second: a terminal is slower than a tar stream.
      const now = Date.now();
      if (!immediate && now - lastDraw < 100) return;
      lastDraw = now;
      stderr.write(`\r\x1b[2K${text}`);
      progressShown = true;
    },
    endProgress,
  };
}
