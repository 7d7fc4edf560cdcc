#!/usr/bin/env node
/** The `layerkit` executable. */
import { EXIT_INTERRUPTED } from './interrupt.js';
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
// After Ctrl-C nothing is left worth waiting for (a registry request shared by several callers,
// say, finishes only at its own timeout): the destination is already as it was.
if (process.exitCode === EXIT_INTERRUPTED) process.exit();
