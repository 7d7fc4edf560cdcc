#!/usr/bin/env node
/** `pnpm demo`: runs the seed scenario in ./layerkit-demo (or the directory given). */
import { runDemo } from './demo/run-demo.js';

try {
  await runDemo(process.argv[2] ?? 'layerkit-demo');
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
