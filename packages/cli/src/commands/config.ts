/** `layerkit config`: config-only edits (ENV, CMD, …) recorded as an empty-layer history step. */
import type { ConfigPatch } from '@layerkit/image';
import { mutateConfig } from '@layerkit/image/node';
import type { Command, FlagValues } from '../command.js';
import {
  listFlag,
  platformFlag,
  platformOf,
  registrySidesOf,
  SIDED_REGISTRY_HELP,
  sidedRegistryFlags,
  sourceDateEpoch,
  stringFlag,
} from '../flags.js';
import { progressOf } from '../progress.js';
import { UsageError } from '../usage-error.js';

/** `KEY=VALUE` split at the first `=`; a usage error names the flag otherwise. */
function keyValue(flag: string, text: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`invalid --${flag} "${text}": expected KEY=VALUE`);
  return [text.slice(0, at), text.slice(at + 1)];
}

/** What the flags ask for: Dockerfile changes, literal config fields, and the history text. */
interface ConfigEdit {
  changes: string[];
  config: ConfigPatch;
  /** Each edit as a Dockerfile line, in the flags' order: the history entry's CREATED BY. */
  lines: string[];
}

/**
 * `--cmd`/`--entrypoint` and `-c` are Dockerfile instructions (an ENTRYPOINT clears the Cmd, as in
 * Docker); `--env`, `--label`, `--expose`, `--user`, `--workdir` are set literally — a `$` in a
 * value stays a `$` — after them.
 */
function editOf(flags: FlagValues): ConfigEdit {
  const edit: ConfigEdit = { changes: [], config: {}, lines: [] };
  const env = listFlag(flags, 'env').map((text) => keyValue('env', text));
  if (env.length > 0) edit.config.Env = Object.fromEntries(env);
  for (const [key, value] of env) edit.lines.push(`ENV ${key}=${JSON.stringify(value)}`);
  const command = (name: string, instruction: string) => {
    const value = stringFlag(flags, name);
    if (value === undefined) return;
    const line = `${instruction} ${value.trimStart().startsWith('[') ? value : JSON.stringify(['/bin/sh', '-c', value])}`;
    edit.changes.push(line);
    edit.lines.push(line);
  };
  command('entrypoint', 'ENTRYPOINT');
  command('cmd', 'CMD');
  const labels = listFlag(flags, 'label').map((text) => keyValue('label', text));
  if (labels.length > 0) edit.config.Labels = Object.fromEntries(labels);
  for (const [key, value] of labels) edit.lines.push(`LABEL ${key}=${JSON.stringify(value)}`);
  const ports = listFlag(flags, 'expose');
  if (ports.length > 0) edit.config.ExposedPorts = ports;
  for (const port of ports) edit.lines.push(`EXPOSE ${port}`);
  const user = stringFlag(flags, 'user');
  if (user !== undefined) {
    edit.config.User = user;
    edit.lines.push(`USER ${user}`);
  }
  const workdir = stringFlag(flags, 'workdir');
  if (workdir !== undefined) {
    edit.config.WorkingDir = workdir;
    edit.lines.push(`WORKDIR ${workdir}`);
  }
  for (const change of listFlag(flags, 'change')) {
    edit.changes.push(change);
    edit.lines.push(change);
  }
  return edit;
}

export const configCommand: Command = {
  name: 'config',
  summary: "Change an image's configuration (no new layer)",
  usage: 'layerkit config [OPTIONS] IMAGE DEST',
  help: `Options:
      --env KEY=VALUE       set an environment variable (VALUE as given); repeatable
      --cmd CMD             JSON array (exec form) or a shell command
      --entrypoint CMD      JSON array (exec form) or a shell command (clears the Cmd, as Docker)
      --label KEY=VALUE     set a label (VALUE as given); repeatable
      --expose PORT[/PROTO] expose a port; repeatable
      --user USER[:GROUP]   the user to run as
      --workdir DIR         the working directory (absolute)
  -c, --change list         any Dockerfile config instruction (CMD, ENTRYPOINT, ENV, EXPOSE,
                            HEALTHCHECK, LABEL, ONBUILD, SHELL, STOPSIGNAL, USER, VOLUME,
                            WORKDIR; $VAR expanded as Docker does); repeatable
--env, --label, --expose, --user and --workdir are applied after --cmd, --entrypoint and -c.


${SIDED_REGISTRY_HELP}

Example:
  layerkit config --env NGINX_PORT=8080 --expose 8080 oci:images:nginx oci:images:nginx:8080`,
  flags: {
    env: { type: 'string', multiple: true },
    cmd: { type: 'string' },
    entrypoint: { type: 'string' },
    label: { type: 'string', multiple: true },
    expose: { type: 'string', multiple: true },
    user: { type: 'string' },
    workdir: { type: 'string' },
    change: { type: 'string', short: 'c', multiple: true },
    ...platformFlag,
    ...sidedRegistryFlags,
  },
  interruptible: true,
  positionals: { min: 2, max: 2 },
  async run([base, dest], flags, out, interrupted) {
    const edit = editOf(flags);
    if (edit.lines.length === 0) throw new UsageError('nothing to change: give at least one option');
    const result = await mutateConfig({
      base: base!,
      dest: dest!,
      changes: edit.changes,
      config: edit.config,
      createdBy: edit.lines.join('; '),
      platform: platformOf(flags),
      sourceDateEpoch: sourceDateEpoch(),
      ...registrySidesOf(flags),
      signal: interrupted,
      onProgress: progressOf(out),
    });
    out.line(result.imageId);
  },
};
