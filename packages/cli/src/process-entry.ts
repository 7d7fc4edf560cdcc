/** The `layerkit` process: runs the command on this process's arguments and sets its exit status. */
import { INTERRUPTED_EXIT_STATUSES } from './interrupt.js';
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
// After Ctrl-C (or SIGTERM, SIGHUP) nothing is left worth waiting for (a registry request shared
// by several callers, say, finishes only at its own timeout): the destination is already as it was.
if (INTERRUPTED_EXIT_STATUSES.has(process.exitCode)) process.exit();
