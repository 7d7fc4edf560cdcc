/**
 * The portable core in a real browser: Debian's Chromium (headless, driven by playwright-core)
 * opens the demo page (tools/browser-demo, bundled from the portable entry points only), builds
 * an image from files in memory and downloads the oci-archive. skopeo and umoci read and unpack
 * it, and Node, given the same inputs and the portable deflate, builds the same image digest.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { withPortableDeflate } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import { buildImage, MemoryOciArchive } from '@layerkit/image';
import { build } from '@layerkit/image/node';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleBrowserDemo } from '../../tools/browser-demo/bundle.mjs';
import { DEMO_ARCHIVE_NAME, DEMO_BUILD, DEMO_TAG } from '../../tools/browser-demo/inputs.js';
import { serveDirectory } from '../../tools/browser-demo/serve.mjs';
import { useScratchDir } from '../fixtures/scratch.js';
import * as skopeo from '../interop/clients/skopeo.js';
import { requireTool } from '../interop/clients/tools.js';
import { walkTree } from '../interop/clients/tree.js';
import * as umoci from '../interop/clients/umoci.js';

/** What Debian's Chromium needs to start headless in a container, quietly and offline. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('the portable core in headless Chromium', () => {
  const scratch = useScratchDir('browser');
  let context: BrowserContext;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const executablePath = requireTool('chromium');
    const dist = await bundleBrowserDemo(join(scratch.path, 'page'));
    ({ server, url } = await serveDirectory(dist));
    context = await chromium.launchPersistentContext(join(scratch.path, 'chromium-profile'), {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      acceptDownloads: true,
    });
  });

  afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('builds an image skopeo and umoci accept, with the digest Node builds from the same inputs', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.waitForSelector('body[data-state="ready"]');
    await page.click('#build');
    await page.waitForSelector('body[data-state="built"], body[data-state="failed"]', { timeout: 20_000 });
    expect(errors).toEqual([]);
    expect(await page.getAttribute('body', 'data-state'), (await page.textContent('#status')) ?? '').toBe(
      'built',
    );
    const browserDigest = (await page.textContent('#manifest-digest')) ?? '';
    const browserImageId = (await page.textContent('#image-id')) ?? '';
    expect(browserDigest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(download.suggestedFilename()).toBe(DEMO_ARCHIVE_NAME);
    const archive = join(scratch.path, 'browser.oci.tar');
    await download.saveAs(archive);

    // skopeo reads the archive and reports the digest the page showed; umoci unpacks a copy.
    const facts = await skopeo.inspect(skopeo.ociArchiveRef(archive));
    expect(facts.Digest).toBe(browserDigest);
    expect(facts.Architecture).toBe('amd64');
    expect(facts.Layers).toHaveLength(2);
    const layout = join(scratch.path, 'layout');
    await skopeo.copy(skopeo.ociArchiveRef(archive), skopeo.ociRef(layout, 'demo'));
    const rootfs = await umoci.unpack(layout, 'demo', join(scratch.path, 'bundle'));
    const tree = new Map((await walkTree(rootfs)).map((fact) => [fact.path, fact]));
    expect(readFileSync(join(rootfs, 'app/hello.txt'), 'utf8')).toBe('hello from a browser\n');
    expect(tree.get('/app/run.sh')).toMatchObject({ type: 'file', mode: 0o755, uid: 0 });
    expect(tree.get('/app/latest')).toMatchObject({ type: 'symlink', linkTarget: 'hello.txt' });
    expect(tree.get('/app/data/sample.txt')).toMatchObject({ type: 'file', size: 300 * 1024 });
    expect(tree.get('/var/empty')).toMatchObject({ type: 'dir', mode: 0o700 });
    expect(readFileSync(join(rootfs, 'etc/demo.conf'), 'utf8')).toBe('mode=browser\n');
    const history = (await umoci.stat(layout, 'demo')).history;
    expect(history.map((row) => row.created_by)).toEqual([
      'COPY app /app',
      'COPY demo.conf /etc/',
      'ENV APP_HOME=/app; WORKDIR /app; config Cmd, Labels',
    ]);

    // Node, through the library, with the portable deflate: the same image, digest for digest.
    const nodeArchive = join(scratch.path, 'node.oci.tar');
    const portable = await build({
      ...DEMO_BUILD,
      dest: { transport: 'oci-archive', path: nodeArchive, tag: DEMO_TAG },
      deflate: 'portable',
    });
    expect(portable.manifest.digest).toBe(browserDigest);
    expect(portable.imageId).toBe(browserImageId);
    // The portable core in Node writes the very archive the browser offered, byte for byte.
    const memory = new MemoryOciArchive({ tag: DEMO_TAG });
    await buildImage({ ...DEMO_BUILD, sink: memory, runtime: withPortableDeflate(nodeRuntime) });
    await memory.close();
    expect(sha256(memory.bytes())).toBe(sha256(readFileSync(archive)));
    // zlib's deflate gives other layer bytes (so another digest) over the same DiffIDs.
    const native = await build({
      ...DEMO_BUILD,
      dest: { transport: 'oci-archive', path: join(scratch.path, 'native.oci.tar'), tag: DEMO_TAG },
    });
    expect(native.manifest.digest).not.toBe(browserDigest);
    expect(native.layers.map((layer) => layer?.diffID)).toEqual(
      portable.layers.map((layer) => layer?.diffID),
    );
  });

  it('the page bundle refuses a node entry point or a node: module', async () => {
    for (const [name, source] of [
      ['node-entry.ts', "import { build } from '@layerkit/image/node';\nconsole.log(build);\n"],
      ['node-module.ts', "import { readFileSync } from 'node:fs';\nconsole.log(readFileSync);\n"],
    ] as const) {
      const entry = join(scratch.path, name);
      writeFileSync(entry, source);
      await expect(bundleBrowserDemo(join(scratch.path, `out-${name}`), entry)).rejects.toThrow(
        name === 'node-entry.ts' ? /not a portable entry point/ : /node:fs/,
      );
    }
  });
});
