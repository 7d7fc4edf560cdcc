/**
 * `gcLayout` on a directory that is not a layout (missing, or a file) fails with the
 * same `NOT_AN_OCI_LAYOUT` error every other operation gives, not a raw errno about the lock
 * file, and creates nothing.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gcLayout } from '@layerkit/image/node';
import { expect, it } from 'vitest';
import { testScratchDir } from '../../../fixtures/scratch.js';

it('a missing directory is not an OCI image layout, and stays missing', async () => {
  const missing = join(testScratchDir('gc-layout'), 'nosuch');
  await expect(gcLayout(missing)).rejects.toMatchObject({
    code: 'NOT_AN_OCI_LAYOUT',
    message: `${missing} is not an OCI image layout: oci-layout is missing`,
  });
  expect(existsSync(missing)).toBe(false);
});

it('a regular file is not an OCI image layout', async () => {
  const file = join(testScratchDir('gc-layout'), 'index.json');
  writeFileSync(file, '{}');
  await expect(gcLayout(file)).rejects.toMatchObject({
    code: 'NOT_AN_OCI_LAYOUT',
    message: `${file} is not an OCI image layout: oci-layout is missing`,
  });
});
