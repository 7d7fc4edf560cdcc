/**
 * Reading one auth file: containers' `auth.json`, Docker's `config.json` (same shape) or the
 * legacy `.dockercfg` (just the `auths` map). Errors name the file and the registry key, never a
 * value: the file holds passwords, and JSON.parse's own messages quote the text around the fault.
 */
import { isLayerkitError, LayerkitError } from '@layerkit/digest';
import { readRegularFile } from '@layerkit/digest/internal/node';

/** Where an auth file may be and which format it has. */
export interface AuthFileLocation {
  path: string;
  /** `~/.dockercfg`: the whole file is the `auths` map. */
  legacy: boolean;
}

/** One `auths` entry: `auth` is base64 of `user:password`, `identitytoken` an OAuth2 refresh token. */
export interface AuthEntry {
  auth: string;
  identitytoken: string;
}

/** The parts of an auth file the credential lookup reads. */
export interface AuthFile extends AuthFileLocation {
  auths: ReadonlyMap<string, AuthEntry>;
  /** Registry key → helper name (`docker-credential-<name>`). */
  credHelpers: ReadonlyMap<string, string>;
  /** The Docker CLI's default helper for every registry without a `credHelpers` entry. */
  credsStore: string;
}

/** The error for a file that is not a well-formed auth file. */
export function invalidAuthFile(
  path: string,
  problem: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): LayerkitError {
  return new LayerkitError(
    'INVALID_AUTH_FILE',
    `${path}: ${problem}`,
    { path, ...details },
    cause === undefined ? undefined : { cause },
  );
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field as Go's encoding/json finds it: the exact name, else any case-insensitive match. */
function field(object: JsonObject, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

/** A string field; JSON null or a missing field is empty, as Go leaves it. */
function stringField(object: JsonObject, name: string, path: string, key?: string): string {
  const value = field(object, name);
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') {
    const where = key === undefined ? `"${name}"` : `"${name}" of "${key}"`;
    throw invalidAuthFile(path, `${where} is not a string`, key === undefined ? {} : { key });
  }
  return value;
}

/** An object field; JSON null or a missing field is empty. */
function objectField(object: JsonObject, name: string, path: string): JsonObject {
  const value = field(object, name);
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalidAuthFile(path, `"${name}" is not an object`);
  return value;
}

function parseAuths(auths: JsonObject, path: string): Map<string, AuthEntry> {
  const entries = new Map<string, AuthEntry>();
  for (const [key, value] of Object.entries(auths)) {
    if (value === null) {
      entries.set(key, { auth: '', identitytoken: '' });
      continue;
    }
    if (!isObject(value)) throw invalidAuthFile(path, `the entry for "${key}" is not an object`, { key });
    entries.set(key, {
      auth: stringField(value, 'auth', path, key),
      identitytoken: stringField(value, 'identitytoken', path, key),
    });
  }
  return entries;
}

function parseCredHelpers(credHelpers: JsonObject, path: string): Map<string, string> {
  const helpers = new Map<string, string>();
  for (const [key, value] of Object.entries(credHelpers)) {
    if (typeof value !== 'string')
      throw invalidAuthFile(path, `"credHelpers" of "${key}" is not a string`, { key });
    helpers.set(key, value);
  }
  return helpers;
}

/** "line L, column C" for the offset V8 reports; the offset is all that is taken from its message. */
function describeSyntaxError(error: unknown, text: string): string {
  const offset = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  if (offset === undefined) return 'not valid JSON';
  const before = text.slice(0, Number(offset));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `not valid JSON (line ${line}, column ${column})`;
}

/** Parses the text of the auth file at `location`. */
function parseAuthFile(location: AuthFileLocation, text: string): AuthFile {
  const { path, legacy } = location;
  let parsed: unknown;
  try {
    // An empty file is an empty config to the Docker CLI (it ignores io.EOF).
    parsed = text.trim() === '' ? null : JSON.parse(text);
  } catch (error) {
    // No `cause`: the SyntaxError's message quotes the file, secrets included.
    throw invalidAuthFile(path, describeSyntaxError(error, text));
  }
  if (parsed !== null && !isObject(parsed)) throw invalidAuthFile(path, 'not a JSON object');
  const top = parsed ?? {};
  if (legacy) return { path, legacy, auths: parseAuths(top, path), credHelpers: new Map(), credsStore: '' };
  return {
    path,
    legacy,
    auths: parseAuths(objectField(top, 'auths', path), path),
    credHelpers: parseCredHelpers(objectField(top, 'credHelpers', path), path),
    credsStore: stringField(top, 'credsStore', path),
  };
}

/**
 * Reads and parses the auth file at `location`; `undefined` when there is none. A missing
 * directory on the way (an `XDG_RUNTIME_DIR` that was never created) counts as no file.
 */
export async function readAuthFile(location: AuthFileLocation): Promise<AuthFile | undefined> {
  let text: string;
  try {
    // Never blocks on a FIFO or device at the path: NOT_A_REGULAR_FILE, reported below.
    text = new TextDecoder().decode(readRegularFile(location.path, { followSymlinks: true }));
  } catch (error) {
    if (isLayerkitError(error, 'FILE_NOT_FOUND')) return undefined;
    // readRegularFile's errors are `<path>: <what happened, in words>`.
    const what = isLayerkitError(error) ? error.message.slice(location.path.length + 2) : 'unknown error';
    throw invalidAuthFile(location.path, `cannot read it (${what})`, {}, error);
  }
  return parseAuthFile(location, text);
}
