/**
 * `layerkit` entry logic: picks the sub-command, parses its flags, runs it, and maps
 * failures to Docker-like exit codes (0 ok, 1 operation failed, 2 usage error, 130 interrupted by
 * Ctrl-C, 143 by SIGTERM, 129 by SIGHUP).
 */

import { isLayerkitError } from '@layerkit/image';
import { type ParsedArgs, parseCommandArgs } from './args.js';
import type { Command } from './command.js';
import { commands } from './commands/index.js';
import { EXIT_INTERRUPTED, InterruptedError, interruptOnSignals } from './interrupt.js';
import { createOutput } from './output.js';
import { escapeControls } from './terminal-text.js';
import { UsageError } from './usage-error.js';

/** Library error codes that mean the command line (or its environment) was wrong (exit 2). */
const USAGE_ERROR_CODES: ReadonlySet<string> = new Set([
  'INVALID_REFERENCE',
  'INVALID_PLATFORM',
  'INVALID_SOURCE_DATE_EPOCH',
]);

import { VERSION } from './version.js';

/** Exit statuses, as the CLI documents them. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit status. */
export async function main(
  argv: string[],
  io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const [name, ...rest] = args;
  if (name === undefined) {
    io.stderr.write(topLevelHelp());
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(topLevelHelp());
    return EXIT_OK;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout.write(`layerkit ${VERSION}\n`);
    return EXIT_OK;
  }
  const command = commands.find((c) => c.name === name || c.aliases?.includes(name));
  if (!command) {
    io.stderr.write(`layerkit: unknown command '${name}'; see 'layerkit --help' for the list of commands\n`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(commandHelp(command));
    return EXIT_OK;
  }
  let parsed: ParsedArgs;
  try {
    parsed = parseCommandArgs(command, rest);
  } catch (error) {
    return usageFailure(command, error as UsageError, io.stderr);
  }
  const out = createOutput(io.stdout, io.stderr, parsed.flags.quiet === true);
  const interruption = command.interruptible ? interruptOnSignals() : undefined;
  const interrupted = interruption?.signal ?? new AbortController().signal;
  try {
    await command.run(parsed.positionals, parsed.flags, out, interrupted);
    out.endProgress();
    return EXIT_OK;
  } catch (error) {
    out.endProgress();
    if (error instanceof UsageError) return usageFailure(command, error, io.stderr);
    // A malformed image reference, platform or SOURCE_DATE_EPOCH is a mistake in the call, not a
    // failed operation.
    if (isLayerkitError(error) && USAGE_ERROR_CODES.has(error.code)) {
      return usageFailure(command, new UsageError(error.message), io.stderr);
    }
    // However the library wrapped it, a failure after Ctrl-C is the interruption.
    const cause = interrupted.aborted ? interrupted.reason : error;
    io.stderr.write(`layerkit: ${command.name}: ${oneLine(cause)}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    if (!interrupted.aborted) return EXIT_FAILED;
    return interrupted.reason instanceof InterruptedError ? interrupted.reason.exitStatus : EXIT_INTERRUPTED;
  } finally {
    interruption?.dispose();
  }
}

/** Reports a usage error in one line, pointing at the command's help. */
function usageFailure(command: Command, error: UsageError, stderr: NodeJS.WritableStream): number {
  stderr.write(
    `layerkit: ${command.name}: ${escapeControls(error.message)}; see 'layerkit ${command.name} --help'\n`,
  );
  return EXIT_USAGE;
}

/** An error's message as one line (a message never spans lines on the terminal), controls escaped. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return escapeControls(message.replace(/\s*\n\s*/g, '; ')).replace(/\t/g, ' ');
}

function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: layerkit COMMAND [OPTIONS] [ARGS]',
    '',
    'docker diff / commit / history for OCI images, offline, with no daemon.',
    'Images are named in skopeo syntax: oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME[:TAG]],',
    'docker://[HOST[:PORT]/]REPO[:TAG|@DIGEST] (a registry: the only time the network is used)',
    '',
    'Commands:',
    ...lines,
    '',
    'Global options: --help, --version, --debug (stack traces on errors)',
    'Exit status: 0 ok, 1 the operation failed, 2 usage error, 130/143/129 interrupted (SIGINT/TERM/HUP)',
    "Run 'layerkit COMMAND --help' for a command's options and an example.",
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  const aliases = command.aliases?.length ? `Aliases: ${command.aliases.join(', ')}\n\n` : '';
  return `Usage: ${command.usage}\n\n${command.summary}\n\n${aliases}${command.help.trimEnd()}\n`;
}
