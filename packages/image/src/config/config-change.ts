/**
 * `docker commit --change` instructions: the Dockerfile subset moby accepts there
 * (`validCommitCommands`: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME,
 * WORKDIR), parsed like buildkit's Dockerfile parser and applied like moby's dispatchers.
 * HEALTHCHECK is not supported. Line continuations are not needed: each change is one line.
 */
import { LayerkitError } from '@layerkit/digest';
import { parseJsonStrict } from '../json/strict-parse.js';
import type { ContainerConfig, ImageConfig } from '../oci-types.js';
import { parseUser } from '../parse/user.js';
import { expandWord, splitQuotedWords } from './shell-words.js';

/** A command line: exec form (a JSON array) or shell form (run with the config's Shell). */
export type CommandLine = { exec: string[] } | { shell: string };

/**
 * One parsed change. Words are kept as written (quotes included); `applyChanges` expands them
 * against the config's Env at that point, as Docker does. CMD/ENTRYPOINT/ONBUILD are never expanded.
 */
export type ConfigChange =
  | { instruction: 'CMD' | 'ENTRYPOINT'; command: CommandLine }
  | { instruction: 'ENV' | 'LABEL'; pairs: Array<[key: string, value: string]> }
  | { instruction: 'EXPOSE' | 'VOLUME'; words: string[] }
  | { instruction: 'USER' | 'WORKDIR' | 'STOPSIGNAL'; word: string }
  | { instruction: 'ONBUILD'; trigger: string };

const DEFAULT_SHELL = ['/bin/sh', '-c'];
const PORT_SPEC = /^([0-9]{1,5})(?:-([0-9]{1,5}))?(?:\/([A-Za-z]+))?$/;
const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);
const SIGNAL = /^(?:[0-9]{1,2}|(?:SIG)?[A-Z][A-Z0-9]*(?:[+-][0-9]{1,2})?)$/;

/**
 * Parses one `--change` line, e.g. `CMD echo hi`, `ENV A=1 B="two words"`, `EXPOSE 80/tcp 53/udp`.
 * The keyword is case-insensitive. Throws `INVALID_CHANGE` naming the line for unknown or
 * unsupported instructions and bad syntax.
 */
export function parseChange(line: string): ConfigChange {
  const trimmed = line.trim();
  const space = trimmed.search(/\s/);
  const keyword = (space < 0 ? trimmed : trimmed.slice(0, space)).toUpperCase();
  const rest = space < 0 ? '' : trimmed.slice(space).trim();
  const invalid = (problem: string): never => {
    throw new LayerkitError('INVALID_CHANGE', `invalid change ${JSON.stringify(line)}: ${problem}`, {
      change: line,
    });
  };
  if (/[\r\n]/.test(trimmed)) invalid('a change is one line');
  if (rest === '') invalid(`${keyword || 'an instruction'} requires an argument`);

  switch (keyword) {
    case 'CMD':
    case 'ENTRYPOINT':
      return { instruction: keyword, command: parseCommandLine(rest) };
    case 'ENV':
    case 'LABEL':
      return { instruction: keyword, pairs: parsePairs(rest, keyword, invalid) };
    case 'EXPOSE':
      return { instruction: keyword, words: rest.split(/\s+/) };
    case 'VOLUME': {
      const list = parseStringArray(rest);
      return { instruction: keyword, words: list ?? rest.split(/\s+/) };
    }
    case 'USER':
    case 'WORKDIR':
    case 'STOPSIGNAL':
      return { instruction: keyword, word: rest };
    case 'ONBUILD': {
      const trigger = rest.split(/\s/, 1)[0]!.toUpperCase();
      if (trigger === 'ONBUILD') invalid('chaining ONBUILD via `ONBUILD ONBUILD` is not allowed');
      if (trigger === 'FROM' || trigger === 'MAINTAINER')
        invalid(`${trigger} is not allowed as an ONBUILD trigger`);
      return { instruction: keyword, trigger: rest };
    }
    default:
      return invalid(`${JSON.stringify(keyword)} is not a valid change command`);
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
 * touched: the image operation that commits adds its own entry. As in moby: shell forms run with
 * the config's `Shell` (default `/bin/sh -c`); ENTRYPOINT clears Cmd unless a CMD came before it in
 * the same set; a relative WORKDIR is joined to the current one and cleaned; ENV replaces an
 * existing variable in place. Throws `INVALID_CHANGE`, or `INVALID_USER` for a bad USER (R15).
 */
export function applyChanges(config: ImageConfig, changes: readonly ConfigChange[]): ImageConfig {
  const container: ContainerConfig = structuredClone(config.config ?? {});
  let cmdSet = false;
  for (const change of changes) {
    const env = envMap(container.Env);
    const expand = (word: string) => expandWord(word, env);
    switch (change.instruction) {
      case 'CMD':
        container.Cmd = commandArgs(change.command, container.Shell);
        cmdSet = true;
        break;
      case 'ENTRYPOINT':
        container.Entrypoint = commandArgs(change.command, container.Shell);
        if (!cmdSet) delete container.Cmd;
        break;
      case 'ENV':
        for (const [key, value] of change.pairs)
          container.Env = setEnv(container.Env ?? [], expand(key), expand(value));
        break;
      case 'LABEL':
        container.Labels ??= {};
        for (const [key, value] of change.pairs) defineKey(container.Labels, expand(key), expand(value));
        break;
      case 'EXPOSE':
        container.ExposedPorts ??= {};
        for (const word of change.words) {
          for (const port of portKeys(expand(word))) defineKey(container.ExposedPorts, port, {});
        }
        break;
      case 'VOLUME':
        container.Volumes ??= {};
        for (const word of change.words) {
          const volume = expand(word).trim();
          if (volume === '') changeError('VOLUME specified can not be an empty string');
          defineKey(container.Volumes, volume, {});
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
      case 'STOPSIGNAL': {
        const signal = expand(change.word);
        if (!SIGNAL.test(signal)) changeError(`invalid signal ${JSON.stringify(signal)}`);
        container.StopSignal = signal;
        break;
      }
      case 'ONBUILD':
        container.OnBuild = [...(container.OnBuild ?? []), change.trigger];
        break;
    }
  }
  return { ...config, config: container };
}

/** buildkit `parseMaybeJSON`: a JSON array of strings is the exec form, anything else the shell form. */
function parseCommandLine(rest: string): CommandLine {
  const exec = parseStringArray(rest);
  return exec === undefined ? { shell: rest } : { exec };
}

function parseStringArray(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const value = parseJsonStrict(new TextEncoder().encode(text), { maxBytes: 1 << 20, what: 'change' });
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  } catch {
    // Not JSON: the shell form, as buildkit falls back.
  }
  return undefined;
}

/** buildkit `parseNameVal`: `k=v k2="v 2"`, or the legacy `K V…` when the first word has no `=`. */
function parsePairs(
  rest: string,
  keyword: string,
  invalid: (problem: string) => never,
): Array<[string, string]> {
  const words = splitQuotedWords(rest);
  if (!words[0]!.includes('=')) {
    const [key, value] = rest.split(/\s+(.*)/s) as [string, string | undefined];
    if (value === undefined) invalid(`${keyword} must have two arguments`);
    return [[key, value]];
  }
  return words.map((word) => {
    const eq = word.indexOf('=');
    if (eq < 0) invalid(`can't find = in ${JSON.stringify(word)}; must be of the form name=value`);
    if (eq === 0) invalid(`${keyword} names can not be blank`);
    return [word.slice(0, eq), word.slice(eq + 1)];
  });
}

function commandArgs(command: CommandLine, shell: string[] | undefined): string[] {
  return 'exec' in command ? [...command.exec] : [...(shell ?? DEFAULT_SHELL), command.shell];
}

function envMap(env: string[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of env ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) map.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return map;
}

function setEnv(env: string[], key: string, value: string): string[] {
  if (key === '') changeError('ENV names can not be blank');
  const entry = `${key}=${value}`;
  const i = env.findIndex((item) => item.slice(0, item.indexOf('=')) === key);
  return i < 0 ? [...env, entry] : env.map((item, j) => (j === i ? entry : item));
}

/** `80`, `80/udp`, `8000-8002/tcp` → `80/tcp` … (Docker `nat.ParsePortSpecs`; protocol default tcp). */
function portKeys(spec: string): string[] {
  const match = PORT_SPEC.exec(spec);
  const protocol = (match?.[3] ?? 'tcp').toLowerCase();
  const start = Number(match?.[1]);
  const end = match?.[2] === undefined ? start : Number(match[2]);
  if (match === null || !PROTOCOLS.has(protocol) || start > 65535 || end > 65535 || end < start) {
    return changeError(`invalid port ${JSON.stringify(spec)}`);
  }
  return Array.from({ length: end - start + 1 }, (_, i) => `${start + i}/${protocol}`);
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

// Keys come from the user: define them so `__proto__` is an ordinary key.
function defineKey<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function changeError(problem: string): never {
  throw new LayerkitError('INVALID_CHANGE', `invalid change: ${problem}`, {});
}
