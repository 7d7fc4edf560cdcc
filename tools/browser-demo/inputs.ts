/**
 * The browser demo's fixed inputs: files in memory, config, history text and a fixed creation
 * time (SOURCE_DATE_EPOCH). The page builds them in the browser; tests/browser builds the same
 * object in Node and expects the same image digest. Portable: no `node:`, no Buffer.
 */
import type { BuildImageOptions } from '@layerkit/image';

/** Deterministic, compressible bytes (an LCG over a small alphabet): spans several deflate pushes. */
function sampleText(length: number): Uint8Array {
  const alphabet = 'abcdefghij klmnop\n';
  const bytes = new Uint8Array(length);
  let state = 0x2545f491;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[i] = alphabet.charCodeAt((state >>> 16) % alphabet.length);
  }
  return bytes;
}

/** The tag the archive's `index.json` gives the image. */
export const DEMO_TAG = 'example.com/layerkit/browser-demo:1';

/** The file name the page offers the archive under. */
export const DEMO_ARCHIVE_NAME = 'layerkit-browser-demo.oci.tar';

/** Everything `buildImage` needs but the sink and the runtime. */
export const DEMO_BUILD: Omit<BuildImageOptions, 'sink' | 'runtime'> = {
  platform: { os: 'linux', architecture: 'amd64' },
  sourceDateEpoch: 1_700_000_000,
  author: 'layerkit browser demo',
  layers: [
    {
      files: {
        'app/hello.txt': 'hello from a browser\n',
        'app/run.sh': { content: '#!/bin/sh\nexec cat /app/hello.txt\n', mode: 0o755 },
        'app/data/sample.txt': sampleText(300 * 1024),
        'app/latest': { type: 'symlink', target: 'hello.txt' },
      },
      createdBy: 'COPY app /app',
      comment: 'the application',
    },
    {
      files: { 'etc/demo.conf': 'mode=browser\n', 'var/empty': { type: 'dir', mode: 0o700 } },
      createdBy: 'COPY demo.conf /etc/',
    },
  ],
  changes: ['ENV APP_HOME=/app', 'WORKDIR /app'],
  config: { Cmd: ['/app/run.sh'], Labels: { 'org.opencontainers.image.title': 'browser-demo' } },
};
