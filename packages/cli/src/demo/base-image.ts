/**
 * The demo's built-in base image: a small web-server-like image generated from files written
 * here (no network), built the way a Dockerfile would be — a base layer, an nginx layer, and
 * config-only steps — so its history has several entries. Fixed times make it reproducible.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commit, importRootfs, mutateConfig } from '@layerkit/image/node';

/** SOURCE_DATE_EPOCH of the base image's steps (2024-01-01T00:00:00Z): the same bytes every run. */
const BASE_EPOCH = 1_704_067_200;

/** Deterministic "binary" content: an ELF-like header followed by pseudo-random bytes. */
function binaryLike(seed: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  let x = seed;
  for (let i = 7; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

function writeTree(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, content);
  }
}

const debianFiles: Record<string, string | Uint8Array> = {
  'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
  'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nnginx:x:101:101:nginx user:/nonexistent:/bin/false\n',
  'etc/group': 'root:x:0:\nnginx:x:101:\n',
  'bin/bash': binaryLike(1, 96 * 1024),
  'usr/bin/env': binaryLike(2, 24 * 1024),
  'usr/lib/x86_64-linux-gnu/libc.so.6': binaryLike(3, 192 * 1024),
  'var/log/.keep': '',
};

const nginxFiles: Record<string, string | Uint8Array> = {
  'usr/sbin/nginx': binaryLike(4, 128 * 1024),
  'etc/nginx/nginx.conf':
    'user nginx;\nworker_processes auto;\nevents { worker_connections 1024; }\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n',
  'etc/nginx/conf.d/default.conf':
    'server {\n    listen 80;\n    location / {\n        root /usr/share/nginx/html;\n        index index.html;\n    }\n}\n',
  'usr/share/nginx/html/index.html':
    '<!DOCTYPE html>\n<html><body><h1>Welcome to nginx!</h1></body></html>\n',
  'usr/share/nginx/html/50x.html': '<!DOCTYPE html>\n<html><body><h1>An error occurred.</h1></body></html>\n',
};

/** Builds the base image into `layoutDir` under `tag` (two layers, five history entries). */
export async function buildBaseImage(workDir: string, layoutDir: string, tag: string): Promise<void> {
  const staging = join(workDir, 'base-rootfs');
  rmSync(staging, { recursive: true, force: true });
  writeTree(staging, debianFiles);
  const image = `oci:${layoutDir}:${tag}`;
  const steps = { sourceDateEpoch: BASE_EPOCH };
  await importRootfs({
    rootfs: staging,
    dest: image,
    createdBy: '/bin/sh -c #(nop) ADD file:bookworm-rootfs.tar in / ',
    ...steps,
  });
  // The PATH a Dockerfile build gives every stage (debian's image carries it), so that
  // `--change 'ENV PATH=/app/bin:$PATH'` extends it as it would on the real image.
  await mutateConfig({
    base: image,
    dest: image,
    changes: ['CMD ["bash"]'],
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    createdBy: 'CMD ["bash"]',
    ...steps,
  });
  writeTree(staging, nginxFiles);
  await commit({
    base: image,
    rootfs: staging,
    dest: image,
    createdBy: '/bin/sh -c apt-get update && apt-get install -y nginx && rm -rf /var/lib/apt/lists/*',
    ...steps,
  });
  await mutateConfig({
    base: image,
    dest: image,
    changes: ['EXPOSE 80', 'STOPSIGNAL SIGQUIT', 'CMD ["nginx", "-g", "daemon off;"]'],
    ...steps,
  });
  rmSync(staging, { recursive: true, force: true });
}
