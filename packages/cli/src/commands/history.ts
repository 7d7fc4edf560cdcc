/** `layerkit history`: docker history, offline, with Docker's exact formatting. */
import { renderHistoryJson, renderHistoryTable } from '@layerkit/image';
import { imageHistory } from '@layerkit/image/node';
import type { Command } from '../command.js';
import {
  platformFlag,
  platformOf,
  REGISTRY_HELP,
  registryFlags,
  registryOptionsOf,
  stringFlag,
} from '../flags.js';
import { UsageError } from '../usage-error.js';

export const historyCommand: Command = {
  name: 'history',
  summary: 'Show the history of an image (newest first), like docker history',
  usage: 'layerkit history [OPTIONS] IMAGE',
  help: `Options:
      --format string   table (default) or json (one JSON object per line)
  -H, --human           print sizes and dates in human readable format (default true;
                        -H=false or --human=false for exact bytes and RFC 3339 dates)
      --no-trunc        don't truncate output
  -q, --quiet           only show image IDs
      --platform string os/arch[/variant] of a multi-platform image


${REGISTRY_HELP}

Example:
  layerkit history oci:images:nginx:v2
  layerkit history --human=false --no-trunc oci:images:nginx:v2`,
  flags: {
    format: { type: 'string' },
    human: { type: 'boolean', short: 'H' },
    'no-trunc': { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    ...platformFlag,
    ...registryFlags,
  },
  positionals: { min: 1, max: 1 },
  async run([image], flags, out, interrupted) {
    const format = stringFlag(flags, 'format') ?? 'table';
    if (format !== 'table' && format !== 'json')
      throw new UsageError(`invalid --format "${format}": expected table or json`);
    const options = {
      noTrunc: flags['no-trunc'] === true,
      human: flags.human !== false,
      quiet: flags.quiet === true,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    };
    const { rows, validation } = await imageHistory(image!, {
      platform: platformOf(flags),
      registry: registryOptionsOf(flags),
      signal: interrupted,
      onWarning: (warning) => out.warn(warning),
    });
    for (const problem of validation.problems) out.warn(problem.message);
    const text = format === 'json' ? renderHistoryJson(rows, options) : renderHistoryTable(rows, options);
    out.line(text.replace(/\n$/, ''));
  },
};
