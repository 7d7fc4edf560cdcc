/**
 * The shape of one `layerkit` sub-command: its help text, its flags, and what it runs.
 * Commands stay thin: parse, call the library, print.
 */
import type { ParseArgsConfig } from 'node:util';
import type { Output } from './output.js';

/** The flags a command accepts, in `node:util` parseArgs form. */
export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed flag values (strings, booleans, or string lists for `multiple`). */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** One sub-command. */
export interface Command {
  name: string;
  /** Other names the command answers to (`ls` for `images`, as `docker image ls`). */
  aliases?: readonly string[];
  /** One line for `layerkit --help`. */
  summary: string;
  /** The usage line(s), e.g. `layerkit diff [--format json] IMAGE DIR`. */
  usage: string;
  /** Flag descriptions and an example, shown by `layerkit CMD --help`. */
  help: string;
  flags: FlagSpec;
  /** Allowed positional argument counts (inclusive). */
  positionals: { min: number; max: number };
  /**
   * True when the command stops cleanly at its progress checkpoints once `interrupted` aborts
   * (Ctrl-C, SIGTERM, SIGHUP); other commands keep Node's default handling (exit at once).
   */
  interruptible?: boolean;
  run(positionals: string[], flags: FlagValues, out: Output, interrupted: AbortSignal): Promise<void>;
}
