/**
 * `docker commit --change` instructions, parsed like buildkit's Dockerfile parser and applied
 * like moby's dispatchers. moby's `validCommitCommands` allows CMD, ENTRYPOINT, ENV, EXPOSE,
 * HEALTHCHECK, LABEL, ONBUILD, USER, VOLUME and WORKDIR (Docker Engine 20.10, which the interop
 * suite runs), and STOPSIGNAL since Engine 23.0; layerkit takes all of them and also SHELL,
 * which Docker refuses in `--change` (layerkit is a superset). Each change is one line: there
 * are no line continuations.
 */
import { LayerkitError } from '@layerkit/digest';
import type { ContainerConfig, HealthcheckConfig, ImageConfig } from '../oci-types.js';
import { parseUser } from '../parse/user.js';
import { checkSignal, portKeys, setOwnKey } from './config-values.js';
import { envVariables, setEnv } from './env-list.js';
import { trimGoSpace } from './go-space.js';
import { parseHealthcheckArgs } from './healthcheck.js';
import {
  type CommandLine,
  parseCommandLine,
  parseFlags,
  parseJsonArgs,
  SEPARATOR,
  splitInstruction,
} from './instruction-line.js';
import { expandWord, expandWords, splitQuotedWords } from './shell-words.js';

export type { CommandLine } from './instruction-line.js';

/**
 * One parsed change. Words are kept as written (quotes included); `applyChanges` expands them
 * against the config's Env at that point, as Docker does. CMD, ENTRYPOINT, ONBUILD, HEALTHCHECK
 * and SHELL are never expanded.
 */
export type ConfigChange =
  | {
      /** The instruction, upper case. */
      instruction: 'CMD' | 'ENTRYPOINT';
      /** The command, exec or shell form. */
      command: CommandLine;
    }
  | {
      /** The instruction, upper case. */
      instruction: 'ENV' | 'LABEL';
      /** The pairs in order, unexpanded: from `key=value` words, or the legacy `KEY value` form's one. */
      pairs: Array<[key: string, value: string]>;
    }
  | {
      /** The instruction, upper case. */
      instruction: 'EXPOSE' | 'VOLUME';
      /** The ports (`80`, `53/udp`) or volume paths, unexpanded. */
      words: string[];
    }
  | {
      /** The instruction, upper case. */
      instruction: 'USER' | 'WORKDIR' | 'STOPSIGNAL';
      /** The argument: a user, a directory or a signal, unexpanded. */
      word: string;
    }
  | {
      /** The instruction, upper case. */
      instruction: 'ONBUILD';
      /** The instruction to record for images built on this one, as written. */
      trigger: string;
    }
  | {
      /** The instruction, upper case. */
      instruction: 'HEALTHCHECK';
      /** The healthcheck to set; `Test: ["NONE"]` for `HEALTHCHECK NONE`. */
      healthcheck: HealthcheckConfig;
    }
  | {
      /** The instruction, upper case. */
      instruction: 'SHELL';
      /** The shell and its arguments (JSON form, at least one). */
      shell: string[];
    };

const INSTRUCTIONS: ReadonlySet<string> = new Set([
  'CMD',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'HEALTHCHECK',
  'LABEL',
  'ONBUILD',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);
const DEFAULT_SHELL = ['/bin/sh', '-c'];

/**
 * Parses one `--change` line, e.g. `CMD echo hi`, `ENV A=1 B="two words"`, `EXPOSE 80/tcp 53/udp`,
 * `HEALTHCHECK --interval=30s CMD curl -f http://localhost/`, `SHELL ["/bin/bash", "-c"]` (JSON
 * only, as in a Dockerfile). The keyword is case-insensitive. Only HEALTHCHECK takes flags
 * (`--interval`, `--timeout`, `--start-period`, `--start-interval`: Go durations; `--retries`).
 * Throws `INVALID_CHANGE` naming the line for unknown instructions and bad syntax.
 */
export function parseChange(line: string): ConfigChange {
  const invalid = (problem: string): never => {
    throw new LayerkitError('INVALID_CHANGE', `invalid change ${JSON.stringify(line)}: ${problem}`, {
      change: line,
    });
  };
  if (/[\r\n]/.test(line.trim())) invalid('a change is one line');
  const { keyword: written, flags, rest } = splitInstruction(line);
  const keyword = written.toUpperCase();
  if (!INSTRUCTIONS.has(keyword)) invalid(`${JSON.stringify(written)} is not a valid change command`);
  if (rest === '') invalid(`${keyword} requires an argument`);
  // buildkit reads no flags for STOPSIGNAL (nor for HEALTHCHECK NONE): they are ignored there.
  if (keyword !== 'HEALTHCHECK' && keyword !== 'STOPSIGNAL') parseFlags(flags, [], invalid);

  switch (keyword) {
    case 'CMD':
    case 'ENTRYPOINT':
      return { instruction: keyword, command: parseCommandLine(rest, invalid) };
    case 'ENV':
    case 'LABEL':
      return { instruction: keyword, pairs: parsePairs(rest, keyword, invalid) };
    case 'EXPOSE':
      return { instruction: keyword, words: rest.split(SEPARATOR) };
    case 'VOLUME':
      return { instruction: keyword, words: parseVolumes(rest, invalid) };
    case 'USER':
    case 'WORKDIR':
    case 'STOPSIGNAL':
      return { instruction: keyword, word: rest };
    case 'HEALTHCHECK':
      return { instruction: keyword, healthcheck: parseHealthcheckArgs(rest, flags, invalid) };
    case 'SHELL': {
      const shell =
        parseJsonArgs(rest, invalid) ?? invalid('SHELL requires the arguments to be in JSON form');
      if (shell.length === 0) invalid('SHELL requires at least one argument');
      return { instruction: keyword, shell };
    }
    default: {
      // ONBUILD, the one instruction left.
      const trigger = rest.split(SEPARATOR, 1)[0]!.toUpperCase();
      if (trigger === 'ONBUILD') invalid('chaining ONBUILD via `ONBUILD ONBUILD` is not allowed');
      if (trigger === 'FROM' || trigger === 'MAINTAINER')
        invalid(`${trigger} is not allowed as an ONBUILD trigger`);
      return { instruction: 'ONBUILD', trigger: rest };
    }
  }
}

/** Parses several change lines; blank lines and `#` comments are skipped. */
export function parseChanges(lines: readonly string[]): ConfigChange[] {
  return lines
    .flatMap((text) => text.split(/\r?\n/))
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))
    .map(parseChange);
}

/**
 * Applies changes in order and returns a new config (the input is not modified). History is not
 * touched: the image operation that commits adds its own entry.
 *
 * As in moby: ENV, LABEL, EXPOSE, VOLUME, USER, WORKDIR and STOPSIGNAL words are expanded against
 * the Env as it stands before that instruction — the base's Env plus earlier changes, so
 * `ENV PATH=/usr/bin:$PATH` prepends to the base's PATH, while a variable set earlier on the same
 * ENV line is not yet visible. A variable the Env lacks is empty: on a base without PATH (an
 * imported rootfs) `$PATH` is empty, as with `docker commit --change` (Dockerfile builds differ:
 * they give such a base the default PATH first). Shell forms run with the config's `Shell`
 * (default `/bin/sh -c`), so a SHELL applies to the CMD and ENTRYPOINT after it and, at check
 * time, to a `CMD-SHELL` healthcheck; ENTRYPOINT clears Cmd unless a non-empty CMD came before it
 * in the same set, and `ENTRYPOINT []` removes the Entrypoint; a relative WORKDIR is joined to the
 * current one and cleaned; ENV replaces an existing variable in place. Throws `INVALID_CHANGE`,
 * or `INVALID_USER` for a bad USER (R15, docs/threat-model.md#r15).
 */
export function applyChanges(config: ImageConfig, changes: readonly ConfigChange[]): ImageConfig {
  const container: ContainerConfig = structuredClone(config.config ?? {});
  let cmdSet = false;
  for (const change of changes) {
    const env = envVariables(container.Env);
    const expand = (word: string) => expandWord(word, env);
    switch (change.instruction) {
      case 'CMD':
        container.Cmd = commandArgs(change.command, container.Shell);
        if (container.Cmd.length > 0) cmdSet = true;
        break;
      case 'ENTRYPOINT': {
        const entrypoint = commandArgs(change.command, container.Shell);
        if (entrypoint.length === 0) delete container.Entrypoint;
        else container.Entrypoint = entrypoint;
        if (!cmdSet) delete container.Cmd;
        break;
      }
      case 'ENV':
        // Expanded before any is set: the same line's variables are not visible (`env` is fixed).
        for (const [key, value] of change.pairs) {
          const name = expand(key);
          if (name === '') changeError('ENV names can not be blank');
          container.Env = setEnv(container.Env ?? [], name, expand(value));
        }
        break;
      case 'LABEL':
        container.Labels ??= {};
        for (const [key, value] of change.pairs) setOwnKey(container.Labels, expand(key), expand(value));
        break;
      case 'EXPOSE':
        container.ExposedPorts ??= {};
        for (const word of change.words) {
          for (const spec of expandWords(word, env)) {
            for (const port of portKeys(spec, changeError)) setOwnKey(container.ExposedPorts, port, {});
          }
        }
        break;
      case 'VOLUME':
        container.Volumes ??= {};
        for (const word of change.words) {
          const volume = expand(word);
          if (volume === '') changeError('VOLUME specified can not be an empty string');
          setOwnKey(container.Volumes, volume, {});
        }
        break;
      case 'USER': {
        const user = expand(change.word);
        parseUser(user);
        container.User = user;
        break;
      }
      case 'WORKDIR':
        container.WorkingDir = joinWorkdir(container.WorkingDir, expand(change.word));
        break;
      case 'STOPSIGNAL':
        container.StopSignal = checkSignal(expand(change.word), changeError);
        break;
      case 'ONBUILD':
        container.OnBuild = [...(container.OnBuild ?? []), change.trigger];
        break;
      case 'HEALTHCHECK':
        container.Healthcheck = structuredClone(change.healthcheck);
        break;
      case 'SHELL':
        container.Shell = [...change.shell];
        break;
    }
  }
  return { ...config, config: container };
}

/**
 * buildkit `parseNameVal`: `k=v k2="v 2"`, or the legacy `K V…` (the rest of the line is the
 * value) when the first word has no `=`.
 */
function parsePairs(
  rest: string,
  keyword: string,
  invalid: (problem: string) => never,
): Array<[string, string]> {
  const words = splitQuotedWords(rest);
  if (!words[0]?.includes('=')) {
    const separator = SEPARATOR.exec(rest);
    if (separator === null) return invalid(`${keyword} must have two arguments`);
    return [[rest.slice(0, separator.index), rest.slice(separator.index + separator[0].length)]];
  }
  return words.map((word) => {
    const eq = word.indexOf('=');
    if (eq < 0) invalid(`can't find = in ${JSON.stringify(word)}; must be of the form name=value`);
    if (eq === 0) invalid(`${keyword} names can not be blank`);
    return [word.slice(0, eq), word.slice(eq + 1)];
  });
}

/** buildkit `parseMaybeJSONToList` and `parseVolume`: a JSON list or words, each trimmed and non-empty. */
function parseVolumes(rest: string, invalid: (problem: string) => never): string[] {
  const volumes = (parseJsonArgs(rest, invalid) ?? rest.split(SEPARATOR)).map(trimGoSpace);
  if (volumes.length === 0) invalid('VOLUME requires at least one argument');
  if (volumes.includes('')) invalid('VOLUME specified can not be an empty string');
  return volumes;
}

function commandArgs(command: CommandLine, shell: string[] | undefined): string[] {
  if ('exec' in command) return [...command.exec];
  return [...(shell?.length ? shell : DEFAULT_SHELL), command.shell];
}

/** moby `normalizeWorkdir`: a relative path joins the current one; the result is clean and absolute. */
function joinWorkdir(current: string | undefined, requested: string): string {
  if (requested === '') changeError('WORKDIR cannot be empty');
  const joined = requested.startsWith('/') ? requested : `${current || '/'}/${requested}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '' && part !== '.') parts.push(part);
  }
  return `/${parts.join('/')}`;
}

function changeError(problem: string): never {
  throw new LayerkitError('INVALID_CHANGE', `invalid change: ${problem}`, {});
}
