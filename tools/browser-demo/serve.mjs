#!/usr/bin/env node
/**
 * Serves the bundled browser demo on 127.0.0.1 (static files of one directory, no
 * subdirectories): `node tools/browser-demo/serve.mjs [port]` bundles the page into dist/ and
 * prints its URL; tests/browser serves its own bundle with `serveDirectory`.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleBrowserDemo } from './bundle.mjs';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** Serves the files of `dir` on 127.0.0.1:`port` (0: a free one); resolves to the server and its URL. */
export async function serveDirectory(dir, port = 0) {
  const server = createServer((request, response) => {
    const name = (request.url ?? '/').split('?')[0].replace(/^\/+/, '') || 'index.html';
    const type = CONTENT_TYPES[extname(name)];
    if (name.includes('/') || type === undefined) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(join(dir, name));
      response.writeHead(200, { 'content-type': type }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((done) => server.listen(port, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await serveDirectory(await bundleBrowserDemo(), Number(process.argv[2] ?? 8080));
  console.log(`browser demo at ${url} (Ctrl-C stops)`);
}
