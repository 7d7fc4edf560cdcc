/** `layerkit config`: config-only edits (ENV, CMD, …) recorded as an empty-layer history step. */
import { mutateConfig } from '@layerkit/image/node';
import type { Command, FlagValues } from '../command.js';
import {
  listFlag,
  platformFlag,
  platformOf,
  REGISTRY_HELP,
  registryFlags,
  registryOptionsOf,
  sourceDateEpoch,
  stringFlag,
} from '../flags.js';
import { UsageError } from '../usage-error.js';

/** `--FLAG KEY=VALUE` as the `INSTRUCTION KEY="VALUE"` change that keeps VALUE verbatim. */
function keyValueChange(instruction: string, flag: string, text: string): string {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`invalid --${flag} "${text}": expected KEY=VALUE`);
  // Double quotes keep spaces and quotes intact through the Dockerfile word parser.
  return `${instruction} ${text.slice(0, at)}=${JSON.stringify(text.slice(at + 1))}`;
}

/** Turns the convenience flags into Dockerfile instructions, in a fixed order. */
function changesOf(flags: FlagValues): string[] {
  const changes: string[] = [];
  for (const env of listFlag(flags, 'env')) changes.push(keyValueChange('ENV', 'env', env));
  const json = (name: string, instruction: string) => {
    const value = stringFlag(flags, name);
    if (value !== undefined)
      changes.push(
        `${instruction} ${value.trimStart().startsWith('[') ? value : JSON.stringify(['/bin/sh', '-c', value])}`,
      );
  };
  json('entrypoint', 'ENTRYPOINT');
  json('cmd', 'CMD');
  for (const label of listFlag(flags, 'label')) changes.push(keyValueChange('LABEL', 'label', label));
  for (const port of listFlag(flags, 'expose')) changes.push(`EXPOSE ${port}`);
  const user = stringFlag(flags, 'user');
  if (user !== undefined) changes.push(`USER ${user}`);
  const workdir = stringFlag(flags, 'workdir');
  if (workdir !== undefined) changes.push(`WORKDIR ${workdir}`);
  changes.push(...listFlag(flags, 'change'));
  return changes;
}

export const configCommand: Command = {
  name: 'config',
  summary: "Change an image's configuration (no new layer)",
  usage: 'layerkit config [OPTIONS] IMAGE DEST',
  help: `Options:
      --env KEY=VALUE       set an environment variable; repeatable
      --cmd CMD             JSON array (exec form) or a shell command
      --entrypoint CMD      JSON array (exec form) or a shell command
      --label KEY=VALUE     set a label; repeatable
      --expose PORT[/PROTO] expose a port; repeatable
      --user USER[:GROUP]   the user to run as
      --workdir DIR         the working directory
  -c, --change list         any Dockerfile config instruction; repeatable


${REGISTRY_HELP}

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
    ...registryFlags,
  },
  positionals: { min: 2, max: 2 },
  async run([base, dest], flags, out, interrupted) {
    const changes = changesOf(flags);
    if (changes.length === 0) throw new UsageError('nothing to change: give at least one option');
    const result = await mutateConfig({
      base: base!,
      dest: dest!,
      changes,
      platform: platformOf(flags),
      sourceDateEpoch: sourceDateEpoch(),
      registry: registryOptionsOf(flags),
      signal: interrupted,
    });
    out.line(result.imageId);
  },
};
