/**
 * Runs every hostile case against `applyLayer` in a fresh sandbox: the exact outcome (a typed
 * error code, or the documented safe state) and, always, nothing changed outside the root.
 */
import { readFileSync } from 'node:fs';
import { type ApplyReport, applyLayer } from '@layerkit/diff/node';
import { isLayerkitError } from '@layerkit/digest';
import { afterEach, describe, expect, test } from 'vitest';
import { chunks } from '../../fixtures/raw-tar.js';
import { HOSTILE_CASES } from './corpus.js';
import { createSandbox, type Sandbox } from './sandbox.js';

let box: Sandbox | undefined;
afterEach(() => box?.remove());

async function applyAll(
  sandbox: Sandbox,
  layers: Uint8Array[],
  options: Parameters<typeof applyLayer>[2],
): Promise<ApplyReport[]> {
  const reports: ApplyReport[] = [];
  for (const layer of layers) reports.push(await applyLayer(sandbox.root, chunks(layer, 64 * 1024), options));
  return reports;
}

describe('hostile layer corpus', () => {
  test.each(HOSTILE_CASES.map((c) => [`${c.id}: ${c.title}`, c] as const))(
    '%s',
    { timeout: 30_000 },
    async (_, hostile) => {
      box = createSandbox();
      const sandbox = box;
      const layers = hostile.layers(sandbox);
      const outcome = hostile.outcome;
      if ('error' in outcome) {
        const lower = layers.slice(0, -1);
        await applyAll(sandbox, lower, {});
        const error = await applyLayer(sandbox.root, chunks(layers.at(-1)!, 64 * 1024), hostile.options).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isLayerkitError(error) ? error.code : error).toBe(outcome.error);
        outcome.after?.(sandbox);
      } else {
        const reports = await applyAll(sandbox, layers, hostile.options);
        outcome.check(sandbox, reports);
      }
      expect(sandbox.outsideChanged()).toEqual([]);
    },
  );

  test('the README corpus table lists every case id', () => {
    const readme = readFileSync(new URL('../../../packages/diff/README.md', import.meta.url), 'utf8');
    for (const id of new Set(HOSTILE_CASES.map((c) => c.id)))
      expect(readme).toMatch(new RegExp(`^\\|\\s*${id}\\s*\\|`, 'm'));
  });
});
