/**
 * Running untimed helper commands (setup, resets, checks): synchronous, checked, and failing
 * with the command's own stderr so a broken setup is never mistaken for a measurement.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const MAX_OUTPUT = 256 * 1024 * 1024;

/**
 * Runs `file` with `args` and returns its stdout; throws with the exit status and stderr tail
 * when it fails.
 * @param {string} file
 * @param {string[]} args
 * @param {{cwd?: string, input?: string}} [options]
 * @returns {string}
 */
export function run(file, args, options = {}) {
  const result = spawnSync(file, args, { encoding: 'utf8', maxBuffer: MAX_OUTPUT, ...options });
  if (result.error) throw new Error(`${file} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    const why = result.signal ? `signal ${result.signal}` : `exit ${result.status}`;
    throw new Error(`${file} ${args.join(' ')}: ${why}\n${tail(result.stderr)}`);
  }
  return result.stdout;
}

/**
 * Runs a bash script with `pipefail`, returning its stdout.
 * @param {string} script
 * @param {{cwd?: string}} [options]
 * @returns {string}
 */
export function bash(script, options = {}) {
  return run('bash', ['-c', `set -euo pipefail\n${script}`], options);
}

/**
 * Quotes one word for bash.
 * @param {string} word
 * @returns {string}
 */
export function quote(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Quotes and joins words into one bash command line.
 * @param {string[]} words
 * @returns {string}
 */
export function commandLine(words) {
  return words.map(quote).join(' ');
}

/**
 * The last lines of a command's output, for error messages.
 * @param {string | undefined} text
 * @param {number} [lines]
 * @returns {string}
 */
export function tail(text, lines = 15) {
  return (text ?? '').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Replaces `to` with a `cp -a` copy of `from` (owners, modes, times, links and devices kept).
 * @param {string} from
 * @param {string} to
 */
export function copyTree(from, to) {
  rmSync(to, { recursive: true, force: true });
  bash(`cp -a ${commandLine([from, to])}`);
}
