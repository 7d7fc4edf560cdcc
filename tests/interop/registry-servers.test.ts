/**
 * Proves the registry servers the harness starts (clients/registry.ts) with skopeo alone, so
 * they can judge layerkit's registry client: plain HTTP, TLS with a CA made for the run,
 * htpasswd Basic auth and token auth (the harness's own token issuer), alone and combined.
 * Each must take a push and give the image back unchanged, refuse what it should (an untrusted
 * CA, a wrong password, an anonymous or pull-only push) and log every request it answered.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LayoutImage, readLayoutImage } from './clients/layout.js';
import { httpGet } from './clients/registry/http.js';
import {
  type Registry,
  type RegistryOptions,
  type RegistryRequest,
  startRegistry,
} from './clients/registry.js';
import { useInteropScratchDir } from './clients/scratch.js';
import * as skopeo from './clients/skopeo.js';
import { ClientError } from './clients/tools.js';
import * as umoci from './clients/umoci.js';

/** A two-layer image in an OCI layout, tagged `v1`. */
interface TestImage {
  readonly layout: string;
  readonly source: string;
  readonly image: LayoutImage;
}

/**
 * Builds a two-layer image whose layers hold random bytes. Fresh digests matter: skopeo's
 * blob-info cache (/var/lib/containers/cache, shared by every run) remembers which repository
 * of which 127.0.0.1:PORT held a digest, and would try mounting from there if a later registry
 * got the same port, changing the requests and token scopes these tests count.
 */
async function buildUniqueImage(dir: string): Promise<TestImage> {
  const layout = join(dir, 'layout');
  await umoci.init(layout);
  await umoci.newImage(layout, 'empty');
  let from = 'empty';
  for (const tag of ['one', 'v1']) {
    const bundle = join(dir, `bundle-${tag}`);
    const rootfs = await umoci.unpack(layout, from, bundle);
    writeFileSync(join(rootfs, `${tag}.bin`), randomBytes(4096));
    await umoci.repack(layout, tag, bundle, { createdBy: `registry-servers: add ${tag}.bin` });
    from = tag;
  }
  return { layout, source: skopeo.ociRef(layout, 'v1'), image: readLayoutImage(layout, 'v1') };
}

/** Requests that carried blob bytes: the PATCH and PUT of an upload session. */
const blobUploads = (requests: readonly RegistryRequest[]) =>
  requests.filter(
    (request) => ['PATCH', 'PUT'].includes(request.method) && request.path.includes('/blobs/uploads/'),
  );

/** The requests a registry answered while `action` ran. */
async function requestsDuring(registry: Registry, action: () => Promise<void>): Promise<RegistryRequest[]> {
  const before = (await registry.requests()).length;
  await action();
  return (await registry.requests()).slice(before);
}

const CONFIGURATIONS: readonly (readonly [string, RegistryOptions])[] = [
  ['plain HTTP', {}],
  ['TLS', { tls: true }],
  ['htpasswd', { auth: 'htpasswd' }],
  ['token', { auth: 'token' }],
  ['TLS + htpasswd', { tls: true, auth: 'htpasswd' }],
  ['TLS + token', { tls: true, auth: 'token' }],
];

for (const [name, options] of CONFIGURATIONS) {
  describe(`registry: ${name}`, () => {
    const scratch = useInteropScratchDir('registry-servers');
    let registry: Registry;
    let test: TestImage;
    beforeAll(async () => {
      [registry, test] = await Promise.all([startRegistry(options), buildUniqueImage(scratch.path)]);
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('takes a push and gives the image back unchanged', async () => {
      expect(registry.scheme).toBe(options.tls ? 'https' : 'http');
      await registry.push(test.source, 'layerkit/a:v1');
      const served = await registry.manifest('layerkit/a', 'v1');
      expect([served.digest, served.headerDigest]).toEqual([
        test.image.descriptor.digest,
        test.image.descriptor.digest,
      ]);
      for (const descriptor of [test.image.manifest.config, ...test.image.manifest.layers]) {
        expect((await registry.blob('layerkit/a', descriptor.digest)).length).toBe(descriptor.size);
      }
      const pulled = join(scratch.path, 'pulled');
      await registry.pull('layerkit/a:v1', skopeo.ociRef(pulled, 'v1'));
      expect(readLayoutImage(pulled, 'v1').manifestBytes.equals(test.image.manifestBytes)).toBe(true);
      expect(registry.errors()).toEqual([]);
    });

    it('logs the first push: every blob uploaded, then the manifest', async () => {
      const requests = await registry.requests();
      const { config, layers } = test.image.manifest;
      const uploaded = blobUploads(requests)
        .filter((request) => request.method === 'PUT' && request.path.startsWith('/v2/layerkit/a/'))
        .map((request) => [request.query.digest, request.status]);
      expect(uploaded.sort()).toEqual(
        [config, ...layers].map((descriptor) => [descriptor.digest, 201]).sort(),
      );
      expect(requests).toContainEqual({
        method: 'PUT',
        path: '/v2/layerkit/a/manifests/v1',
        query: {},
        status: 201,
      });
    });

    it('logs a second push of the same image: no blob bytes sent', async () => {
      const second = await requestsDuring(registry, () => registry.push(test.source, 'layerkit/a:v1'));
      expect(blobUploads(second)).toEqual([]);
      expect(second).toContainEqual({
        method: 'PUT',
        path: '/v2/layerkit/a/manifests/v1',
        query: {},
        status: 201,
      });
    });

    it('logs a push to another repository: the layers are mounted across repositories', async () => {
      const third = await requestsDuring(registry, () => registry.push(test.source, 'layerkit/b:v1'));
      for (const layer of test.image.manifest.layers) {
        expect(third).toContainEqual({
          method: 'POST',
          path: '/v2/layerkit/b/blobs/uploads/',
          query: { mount: layer.digest, from: 'layerkit/a' },
          status: 201,
        });
      }
      // skopeo never mounts a config blob: it alone is uploaded again
      const uploaded = blobUploads(third).filter((request) => request.method === 'PUT');
      expect(uploaded.map((request) => request.query.digest)).toEqual([test.image.manifest.config.digest]);
    });

    if (options.tls) {
      it('hands out its CA as a file and as a cert dir holding only ca.crt', () => {
        expect(registry.certDir).toBeDefined();
        expect(readdirSync(registry.certDir ?? '')).toEqual(['ca.crt']);
        expect(readFileSync(registry.caFile ?? '', 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
      });

      it('is refused by a client that does not trust the CA', async () => {
        const access = { ...registry.skopeoAccess(), certDir: undefined, tlsVerify: true };
        await expect(
          skopeo.copy(test.source, registry.reference('layerkit/untrusted:v1'), { dest: access }),
        ).rejects.toThrow(/x509: certificate signed by unknown authority/);
      });

      it('serves localhost as well (subjectAltName DNS:localhost)', async () => {
        const port = registry.address.split(':')[1];
        const pulled = join(scratch.path, 'pulled-localhost');
        await skopeo.copy(`docker://localhost:${port}/layerkit/a:v1`, skopeo.ociRef(pulled, 'v1'), {
          src: registry.skopeoAccess(),
        });
        expect(readLayoutImage(pulled, 'v1').manifestBytes.equals(test.image.manifestBytes)).toBe(true);
      });
    } else {
      it('serves plain HTTP only: a client insisting on TLS is refused', async () => {
        const access = { ...registry.skopeoAccess(), tlsVerify: true };
        await expect(
          skopeo.copy(test.source, registry.reference('layerkit/https:v1'), { dest: access }),
        ).rejects.toThrow(ClientError);
      });
    }

    if (options.auth) {
      it('refuses a wrong password', async () => {
        await expect(
          registry.push(test.source, 'layerkit/wrong:v1', { user: 'alice', password: 'wrong' }),
        ).rejects.toThrow(/unauthorized|authentication required|invalid username\/password/i);
      });

      it('refuses an anonymous push', async () => {
        await expect(registry.push(test.source, 'public/anonymous:v1', null)).rejects.toThrow(
          /unauthorized|authentication required/i,
        );
        expect(await registry.requests()).not.toContainEqual(
          expect.objectContaining({ method: 'PUT', path: '/v2/public/anonymous/manifests/v1' }),
        );
      });
    } else {
      it('has no users', () => {
        expect(registry.users).toEqual({});
        expect(registry.tokenRequests()).toEqual([]);
      });
    }

    if (options.auth === 'htpasswd') {
      it('lets every user push and pull, and nobody pull anonymously', async () => {
        const bob = { user: 'bob', password: registry.users.bob ?? '' };
        await registry.push(test.source, 'layerkit/bob:v1', bob);
        await registry.pull('layerkit/bob:v1', skopeo.ociRef(join(scratch.path, 'pulled-bob'), 'v1'), bob);
        await expect(
          registry.pull('layerkit/bob:v1', skopeo.ociRef(join(scratch.path, 'pulled-anonymous'), 'v1'), null),
        ).rejects.toThrow(ClientError);
      });
    }

    if (options.auth === 'token') {
      it('recorded one token for the first push (skopeo reused it for every request)', () => {
        expect(registry.tokenRequests()[0]).toEqual({
          user: 'alice',
          scopes: ['repository:layerkit/a:pull,push'],
          status: 200,
          granted: ['repository:layerkit/a:pull,push'],
        });
      });

      it('recorded the mount (source repository scope), the wrong password and the anonymous push', () => {
        const requests = registry.tokenRequests();
        expect(requests).toContainEqual({
          user: 'alice',
          scopes: ['repository:layerkit/b:pull,push', 'repository:layerkit/a:pull'],
          status: 200,
          granted: ['repository:layerkit/b:pull,push', 'repository:layerkit/a:pull'],
        });
        // the failed pushes above: a wrong password (401; skopeo asks more than once) and anonymous
        const refused = requests.filter((request) => request.status === 401);
        expect(refused).not.toEqual([]);
        for (const request of refused) {
          expect(request).toEqual({
            user: 'alice',
            scopes: ['repository:layerkit/wrong:pull,push'],
            status: 401,
            granted: [],
          });
        }
        expect(requests.filter((request) => request.user === null)).toContainEqual({
          user: null,
          scopes: ['repository:public/anonymous:pull,push'],
          status: 200,
          granted: ['repository:public/anonymous:pull'],
        });
      });

      it('challenges with the realm and service; the issuer wants that service echoed', async () => {
        const ca = registry.caFile ? readFileSync(registry.caFile) : undefined;
        const ping = await httpGet(`${registry.scheme}://${registry.address}/v2/`, { ca });
        expect(ping.status).toBe(401);
        const challenge = /^Bearer realm="([^"]+)",service="([^"]+)"$/.exec(
          String(ping.headers['www-authenticate']),
        );
        const [, realm = '', service = ''] = challenge ?? [];
        expect(realm).toMatch(new RegExp(`^${registry.scheme}://127\\.0\\.0\\.1:\\d+/token$`));
        const scope = 'repository:public/image:pull';
        const granted = await httpGet(`${realm}?service=${service}&scope=${scope}`, { ca });
        expect(granted.status).toBe(200);
        expect(Object.keys(JSON.parse(granted.body.toString('utf8'))).sort()).toEqual([
          'access_token',
          'expires_in',
          'issued_at',
          'token',
        ]);
        expect((await httpGet(`${realm}?service=elsewhere&scope=${scope}`, { ca })).status).toBe(400);
        expect(registry.tokenRequests().slice(-2)).toEqual([
          { user: null, scopes: [scope], status: 200, granted: [scope] },
          { user: null, scopes: [scope], status: 400, granted: [] },
        ]);
      });

      it('lets bob pull but not push', async () => {
        const bob = { user: 'bob', password: registry.users.bob ?? '' };
        const before = registry.tokenRequests().length;
        await registry.pull('layerkit/a:v1', skopeo.ociRef(join(scratch.path, 'pulled-bob'), 'v1'), bob);
        await expect(registry.push(test.source, 'layerkit/bob:v1', bob)).rejects.toThrow(
          /unauthorized|authentication required/i,
        );
        const requests = registry.tokenRequests().slice(before);
        expect(requests).toContainEqual({
          user: 'bob',
          scopes: ['repository:layerkit/bob:pull,push'],
          status: 200,
          granted: ['repository:layerkit/bob:pull'],
        });
        expect(await registry.requests()).not.toContainEqual(
          expect.objectContaining({ method: 'PUT', path: '/v2/layerkit/bob/manifests/v1' }),
        );
      });

      it('lets anyone pull public/* and nothing else', async () => {
        await registry.push(test.source, 'public/image:v1');
        const pulled = join(scratch.path, 'pulled-public');
        await registry.pull('public/image:v1', skopeo.ociRef(pulled, 'v1'), null);
        expect(readLayoutImage(pulled, 'v1').manifestBytes.equals(test.image.manifestBytes)).toBe(true);
        await expect(
          registry.pull('layerkit/a:v1', skopeo.ociRef(join(scratch.path, 'pulled-private'), 'v1'), null),
        ).rejects.toThrow(ClientError);
      });
    }
  });
}
