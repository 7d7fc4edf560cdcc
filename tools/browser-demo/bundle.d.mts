/**
 * Bundles the browser demo into `outdir` (index.html and main.js) from the portable entry points
 * alone; rejects when the graph reaches a `./node` entry point or a Node module. `entry` replaces
 * main.ts.
 */
export function bundleBrowserDemo(outdir?: string, entry?: string): Promise<string>;
