/**
 * The typed config API: execution parameters given by their OCI/Docker field names and set
 * literally — no `$` expansion, no quotes, no shell parsing — once every value is checked.
 */
import { isLayerkitError, LayerkitError } from '@layerkit/digest';
import type { ContainerConfig, ImageConfig } from '../oci-types.js';
import { parseUser } from '../parse/user.js';
import { checkSignal, type Fail, portKeys, setOwnKey } from './config-values.js';
import { setEnvOnly, unsetEnv } from './env-list.js';
import { healthcheckFromPatch } from './healthcheck.js';

/** A set of keys (`ExposedPorts`, `Volumes`): keys to add, or the OCI map form where `null` removes a key. */
export type KeySetPatch =
  | readonly string[]
  | Readonly<Record<string, Readonly<Record<string, never>> | null>>;

/** A `Healthcheck` with durations as nanoseconds (the spec's unit) or Go duration strings (`'30s'`). */
export interface HealthcheckPatch {
  /** `["NONE"]`, `["CMD", arg…]` or `["CMD-SHELL", command]` (run with the config's Shell). */
  Test: readonly string[];
  /** Time between checks (0 or absent: Docker's 30 s; else at least 1 ms). */
  Interval?: number | string | undefined;
  /** Time a check may run before it counts as failed (0 or absent: Docker's 30 s; else at least 1 ms). */
  Timeout?: number | string | undefined;
  /** Time after start during which failures do not count (0 or absent: none; else at least 1 ms). */
  StartPeriod?: number | string | undefined;
  /** Time between checks during the start period (0 or absent: Docker's 5 s; else at least 1 ms). */
  StartInterval?: number | string | undefined;
  /** Consecutive failures before unhealthy; 0 is Docker's default (3). */
  Retries?: number | undefined;
}

/**
 * Changes to `config.config`, by the spec's field names. A field left out (or `undefined`) is
 * kept, `null` removes it. Keyed fields merge into the base: `Env` (a `NAME=VALUE` list or a
 * `{ NAME: value }` object; a variable is replaced where it stands, and any repeat of its name in
 * the base dropped, a new one appended, `null` unsets it), `Labels`, `ExposedPorts` and `Volumes`
 * (`null` removes a key). Every other field is
 * replaced as given: `Entrypoint` does not clear `Cmd` (unlike the ENTRYPOINT instruction).
 * The image `author` is not here: it belongs to the step (`StepMetadata.author`).
 */
export interface ConfigPatch {
  /** Variables merged into the base's: `NAME=VALUE` items, or `{ NAME: value }` (`null` unsets). */
  Env?: readonly string[] | Readonly<Record<string, string | null>> | null | undefined;
  /** The default arguments (exec form), replacing the base's. */
  Cmd?: readonly string[] | null | undefined;
  /** The entrypoint (exec form), replacing the base's; `Cmd` is kept. */
  Entrypoint?: readonly string[] | null | undefined;
  /** An absolute path, kept as written. */
  WorkingDir?: string | null | undefined;
  /** `user`, `uid`, `user:group`, `uid:gid` … (checked as R15 requires: docs/threat-model.md#r15). */
  User?: string | null | undefined;
  /** Labels to set, merged into the base's (`null` removes one). */
  Labels?: Readonly<Record<string, string | null>> | null | undefined;
  /** Port specs as EXPOSE takes them (`80`, `53/udp`, `8000-8002`), written as `port/proto` keys. */
  ExposedPorts?: KeySetPatch | null | undefined;
  /** Volume paths to add (or remove, in the map form). */
  Volumes?: KeySetPatch | null | undefined;
  /** A signal name or number (`SIGQUIT`, `9`). */
  StopSignal?: string | null | undefined;
  /** The healthcheck, replacing the base's. */
  Healthcheck?: HealthcheckPatch | null | undefined;
  /** The shell of shell-form commands and `CMD-SHELL` healthchecks; at least the executable. */
  Shell?: readonly string[] | null | undefined;
  /** ONBUILD triggers (`RUN make`), replacing the base's. */
  OnBuild?: readonly string[] | null | undefined;
}

type Field = keyof ConfigPatch;

/** How each field is checked and set on the (copied) container config. */
const FIELDS: { readonly [F in Field]: (container: ContainerConfig, value: unknown, fail: Fail) => void } = {
  Env: (container, value, fail) => {
    container.Env = patchEnv(container.Env ?? [], value, fail);
  },
  Cmd: (container, value, fail) => {
    container.Cmd = stringList(value, fail);
  },
  Entrypoint: (container, value, fail) => {
    container.Entrypoint = stringList(value, fail);
  },
  WorkingDir: (container, value, fail) => {
    const dir = text(value, fail);
    if (!dir.startsWith('/')) fail(`${JSON.stringify(dir)} is not an absolute path`);
    container.WorkingDir = dir;
  },
  User: (container, value, fail) => {
    const user = text(value, fail);
    try {
      parseUser(user);
    } catch (error) {
      if (!isLayerkitError(error, 'INVALID_USER')) throw error;
      // Its message already names the field.
      throw new LayerkitError('INVALID_CONFIG', error.message, { field: 'User' }, { cause: error });
    }
    container.User = user;
  },
  Labels: (container, value, fail) => {
    const labels = { ...container.Labels };
    for (const [key, label] of entries(value, fail)) {
      if (key === '') fail('a label name can not be blank');
      if (label === null) delete labels[key];
      else setOwnKey(labels, key, text(label, fail, key));
    }
    container.Labels = labels;
  },
  ExposedPorts: (container, value, fail) => {
    container.ExposedPorts = patchKeySet(container.ExposedPorts, value, (spec) => portKeys(spec, fail), fail);
  },
  Volumes: (container, value, fail) => {
    container.Volumes = patchKeySet(container.Volumes, value, (volume) => [nonEmpty(volume, fail)], fail);
  },
  StopSignal: (container, value, fail) => {
    container.StopSignal = checkSignal(text(value, fail), fail);
  },
  Healthcheck: (container, value, fail) => {
    container.Healthcheck = healthcheckFromPatch(value, fail);
  },
  Shell: (container, value, fail) => {
    const shell = stringList(value, fail);
    if (shell.length === 0) fail('must name at least the executable');
    container.Shell = shell;
  },
  OnBuild: (container, value, fail) => {
    container.OnBuild = stringList(value, fail).map((trigger) => onBuildTrigger(trigger, fail));
  },
};

/**
 * Returns `base` with `patch` applied to its execution parameters (`config.config`); neither is
 * modified. Nothing in the patch is interpreted: `$HOME` stays `$HOME`, a shell command is a
 * plain string in an exec array. Applying a patch twice gives what applying it once gives.
 * Throws `INVALID_CONFIG` naming the field for any value the config cannot hold (wrong type,
 * unknown field, NUL characters, a relative WorkingDir, a bad User, port, signal or healthcheck).
 */
export function applyConfig(base: ImageConfig, patch: ConfigPatch): ImageConfig {
  const given: Record<string, unknown> = isRecord(patch)
    ? patch
    : failFor('config')('a config patch is an object');
  for (const field of Object.keys(given)) {
    if (!Object.hasOwn(FIELDS, field)) {
      const hint = field === 'author' ? ' (the author belongs to the step: its `author` option)' : '';
      failFor(field)(`not a config field${hint}`);
    }
  }
  const container: ContainerConfig = structuredClone(base.config ?? {});
  for (const field of Object.keys(FIELDS) as Field[]) {
    const value = given[field];
    if (value === null) delete container[field];
    else if (value !== undefined) FIELDS[field](container, value, failFor(field));
  }
  if (base.config === undefined && Object.keys(container).length === 0) return { ...base };
  return { ...base, config: container };
}

function failFor(field: string): Fail {
  return (problem) => {
    throw new LayerkitError('INVALID_CONFIG', `invalid config ${field}: ${problem}`, { field });
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string without NUL (no process argument, variable or path can hold one). */
function text(value: unknown, fail: Fail, name?: string): string {
  const where = name === undefined ? '' : `${JSON.stringify(name)}: `;
  if (typeof value !== 'string') fail(`${where}expected a string, found ${kindOf(value)}`);
  if (value.includes('\0')) fail(`${where}${JSON.stringify(value)} contains a NUL character`);
  return value;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'a list' : typeof value;
}

function nonEmpty(value: string, fail: Fail): string {
  if (text(value, fail) === '') fail('an empty string');
  return value;
}

function stringList(value: unknown, fail: Fail): string[] {
  if (!Array.isArray(value)) fail('expected a list of strings');
  return value.map((item) => text(item, fail));
}

function entries(value: unknown, fail: Fail): Array<[string, unknown]> {
  if (!isRecord(value)) fail('expected an object');
  return Object.entries(value).map(([key, item]) => [text(key, fail), item]);
}

/** `NAME=VALUE` entries or `{ NAME: value | null }`, merged by name. */
function patchEnv(env: string[], value: unknown, fail: Fail): string[] {
  const changes: Array<[string, string | null]> = Array.isArray(value)
    ? value.map((entry) => {
        const eq = text(entry, fail).indexOf('=');
        if (eq <= 0) fail(`${JSON.stringify(entry)} is not NAME=VALUE`);
        return [entry.slice(0, eq), entry.slice(eq + 1)];
      })
    : entries(value, fail).map(([name, item]) => [name, item === null ? null : text(item, fail, name)]);
  let merged = env;
  for (const [name, item] of changes) {
    if (name === '' || name.includes('=')) fail(`${JSON.stringify(name)} is not a variable name`);
    merged = item === null ? unsetEnv(merged, name) : setEnvOnly(merged, name, item);
  }
  return merged;
}

/** Keys to add (a list), or the map form: `{}` adds a key, `null` removes it. */
function patchKeySet(
  current: Readonly<Record<string, Record<string, never>>> | undefined,
  value: unknown,
  keysOf: (written: string) => string[],
  fail: Fail,
): Record<string, Record<string, never>> {
  const changes: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((key) => [text(key, fail), {}])
    : entries(value, fail);
  const set = { ...current };
  for (const [written, item] of changes) {
    const empty = isRecord(item) && Object.keys(item).length === 0;
    if (item !== null && !empty) fail(`${JSON.stringify(written)}: a value is {} (add) or null (remove)`);
    for (const key of keysOf(written)) {
      if (item === null) delete set[key];
      else setOwnKey(set, key, {});
    }
  }
  return set;
}

/** An ONBUILD trigger, with the rules of the ONBUILD instruction. */
function onBuildTrigger(trigger: string, fail: Fail): string {
  const keyword = trigger.trim().split(/\s/, 1)[0]!.toUpperCase();
  if (keyword === '') fail('an ONBUILD trigger can not be empty');
  if (keyword === 'ONBUILD') fail('chaining ONBUILD via `ONBUILD ONBUILD` is not allowed');
  if (keyword === 'FROM' || keyword === 'MAINTAINER') fail(`${keyword} is not allowed as an ONBUILD trigger`);
  return trigger;
}
