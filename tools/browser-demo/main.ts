/**
 * The browser demo page: builds DEMO_BUILD with the portable core alone (pure-JS sha256 and the
 * portable deflate) into an in-memory oci-archive, offers it for download and shows its digests.
 */
import { buildImage, MemoryOciArchive } from '@layerkit/image';
import { DEMO_ARCHIVE_NAME, DEMO_BUILD, DEMO_TAG } from './inputs.js';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

async function buildDemo(): Promise<void> {
  const status = element('status');
  status.textContent = 'building…';
  const started = performance.now();
  const archive = new MemoryOciArchive({ tag: DEMO_TAG });
  const result = await buildImage({ ...DEMO_BUILD, sink: archive });
  await archive.close();
  const bytes = archive.bytes();
  const link = element<HTMLAnchorElement>('download');
  link.href = URL.createObjectURL(new Blob([bytes], { type: 'application/x-tar' }));
  link.download = DEMO_ARCHIVE_NAME;
  link.hidden = false;
  element('manifest-digest').textContent = result.manifest.digest;
  element('image-id').textContent = result.imageId;
  element('archive-size').textContent = String(bytes.length);
  status.textContent = `built in ${Math.round(performance.now() - started)} ms`;
  document.body.dataset.state = 'built';
}

element<HTMLButtonElement>('build').addEventListener('click', () => {
  buildDemo().catch((error: unknown) => {
    element('status').textContent = `failed: ${error instanceof Error ? error.message : String(error)}`;
    document.body.dataset.state = 'failed';
  });
});
document.body.dataset.state = 'ready';
