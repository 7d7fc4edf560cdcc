/**
 * The config's `Env`, a list of `NAME=VALUE` strings, read and changed the way moby and buildkit
 * do: a name is the text before the first `=`, names compare exactly (Linux), and setting a
 * variable replaces it where it stands or appends it.
 */

/** The variable name of an `Env` entry: the text before the first `=`, or all of it (Go `strings.Cut`). */
function envName(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/**
 * The variables `$NAME` expands to (buildkit `EnvsFromSlice`): a later entry of the same name wins,
 * and an entry without `=` is set and empty.
 */
export function envVariables(env: readonly string[] | undefined): Map<string, string> {
  const variables = new Map<string, string>();
  for (const entry of env ?? []) {
    const name = envName(entry);
    variables.set(name, entry.slice(name.length + 1));
  }
  return variables;
}

/** `env` with `name` set to `value`: the first entry of that name replaced in place, else appended (moby `dispatchEnv`). */
export function setEnv(env: readonly string[], name: string, value: string): string[] {
  const entry = `${name}=${value}`;
  const i = env.findIndex((item) => envName(item) === name);
  return i < 0 ? [...env, entry] : env.map((item, j) => (j === i ? entry : item));
}

/**
 * `env` with `name` set to `value` and no other entry of that name: where a base repeats a name,
 * readers disagree on which entry counts (getenv takes the first, buildkit the last).
 */
export function setEnvOnly(env: readonly string[], name: string, value: string): string[] {
  const i = env.findIndex((item) => envName(item) === name);
  if (i < 0) return [...env, `${name}=${value}`];
  return [...unsetEnv(env.slice(0, i), name), `${name}=${value}`, ...unsetEnv(env.slice(i + 1), name)];
}

/** `env` without any entry named `name`. */
export function unsetEnv(env: readonly string[], name: string): string[] {
  return env.filter((item) => envName(item) !== name);
}
