/**
 * `layerkit` entry logic: picks the sub-command, parses its flags, runs it, and maps
 * failures to Docker-like exit codes (0 ok, 1 operation failed, 2 usage error).
 */
import { parseArgs } from 'node:util';
import type { Command, FlagValues } from './command.js';
import { commands } from './commands/index.js';
import { createOutput } from './output.js';
import { UsageError } from './usage-error.js';
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
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(topLevelHelp());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout.write(`layerkit ${VERSION}\n`);
    return EXIT_OK;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`layerkit: unknown command '${name}'\nRun 'layerkit --help' for the list of commands.\n`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(commandHelp(command));
    return EXIT_OK;
  }
  let parsed: { positionals: string[]; flags: FlagValues };
  try {
    parsed = parseCommandArgs(command, rest);
  } catch (error) {
    io.stderr.write(`layerkit: ${command.name}: ${(error as Error).message}\nUsage: ${command.usage}\n`);
    return EXIT_USAGE;
  }
  const out = createOutput(io.stdout, io.stderr, parsed.flags.quiet === true);
  try {
    await command.run(parsed.positionals, parsed.flags, out);
    out.endProgress();
    return EXIT_OK;
  } catch (error) {
    out.endProgress();
    if (error instanceof UsageError) {
      io.stderr.write(`layerkit: ${command.name}: ${error.message}\nUsage: ${command.usage}\n`);
      return EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`layerkit: ${command.name}: ${message}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return EXIT_FAILED;
  }
}

/** Parses one command's arguments strictly; Go-style `--flag=false` is accepted for booleans. */
function parseCommandArgs(command: Command, args: string[]): { positionals: string[]; flags: FlagValues } {
  const { values, positionals } = parseArgs({
    args,
    options: command.flags,
    allowPositionals: true,
    strict: true,
  });
  const { min, max } = command.positionals;
  if (positionals.length < min || positionals.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    throw new UsageError(`expected ${want} argument${max === 1 ? '' : 's'}, got ${positionals.length}`);
  }
  return { positionals, flags: values as FlagValues };
}

function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: layerkit COMMAND [OPTIONS] [ARGS]',
    '',
    'docker diff / commit / history for OCI images, offline, with no daemon.',
    'Images are named in skopeo syntax: oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME[:TAG]]',
    '',
    'Commands:',
    ...lines,
    '',
    'Global options: --help, --version, --debug (stack traces on errors)',
    "Run 'layerkit COMMAND --help' for a command's options and an example.",
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return `Usage: ${command.usage}\n\n${command.summary}\n\n${command.help.trimEnd()}\n`;
}
