/**
 * The request machinery against a scripted transport: which scheme a registry is spoken to in
 * (HTTPS; plain HTTP only for loopback and --tls-verify=false, never after a certificate error),
 * Docker Hub's API host, what is retried and what is not (aborts, timeouts, streamed bodies),
 * and where headers go on redirects.
 */
import { LayerkitError } from '@layerkit/digest';
import type { HttpRequest, HttpResponse, HttpTransport } from '@layerkit/registry';
import { describe, expect, it } from 'vitest';
import {
  apiHost,
  isLoopbackHost,
  RegistryHttp,
  type RegistryHttpOptions,
} from '../../../../packages/registry/src/http/registry-http.js';
import { rejection } from '../../../fixtures/credentials-sandbox.js';

interface Scripted {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Reject with this instead of answering. */
  fail?: unknown;
}

/** A transport answering from `answer(request)`, recording every request. */
function scripted(answer: (request: HttpRequest) => Scripted) {
  const requests: HttpRequest[] = [];
  const transport: HttpTransport = async (request) => {
    requests.push(request);
    const scriptedAnswer = answer(request);
    if (scriptedAnswer.fail !== undefined) throw scriptedAnswer.fail;
    const headers = new Headers(scriptedAnswer.headers ?? {});
    const bytes = new TextEncoder().encode(scriptedAnswer.body ?? '');
    const response: HttpResponse = {
      status: scriptedAnswer.status ?? 200,
      headers,
      body: (async function* () {
        if (bytes.length > 0) yield bytes;
      })(),
      cancel: async () => {},
    };
    return response;
  };
  return { requests, transport };
}

const tlsError = () =>
  Object.assign(new Error('self-signed certificate'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const wrongVersion = () =>
  Object.assign(new TypeError('fetch failed'), { cause: { code: 'ERR_SSL_WRONG_VERSION_NUMBER' } });

function http(registry: string, transport: HttpTransport, options: Partial<RegistryHttpOptions> = {}) {
  return new RegistryHttp(registry, { transport, retry: { baseDelayMs: 1 }, ...options });
}

const GET = { method: 'GET' as const, scopes: [], ok: [200], what: 'thing' };

describe('hosts', () => {
  it('Docker Hub is spoken to at registry-1.docker.io; everything else at its own name', () => {
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('ghcr.io')).toBe('ghcr.io');
    expect(apiHost('localhost:5000')).toBe('localhost:5000');
  });

  it.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['127.0.0.1', true],
    ['127.1.2.3:80', true],
    ['[::1]', true],
    ['[::1]:5000', true],
    ['localhost.example.com', false],
    ['127.0.0.1.nip.io', false],
    ['10.0.0.1:5000', false],
    ['[::2]:5000', false],
    ['docker.io', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('the scheme', () => {
  it('a registry that speaks HTTPS: HTTPS, pinged once for every request', async () => {
    const { requests, transport } = scripted(() => ({ status: 200 }));
    const client = http('registry.example', transport);
    await client.send({ ...GET, url: 'app/manifests/v1' });
    await client.send({ ...GET, url: 'app/manifests/v2' });
    expect(requests.map((request) => request.url)).toEqual([
      'https://registry.example/v2/',
      'https://registry.example/v2/app/manifests/v1',
      'https://registry.example/v2/app/manifests/v2',
    ]);
  });

  it('docker.io: the API host', async () => {
    const { requests, transport } = scripted(() => ({ status: 200 }));
    await http('docker.io', transport).send({ ...GET, url: 'library/nginx/manifests/latest' });
    expect(requests[1]!.url).toBe('https://registry-1.docker.io/v2/library/nginx/manifests/latest');
  });

  it('a loopback registry without TLS: one HTTPS try, then plain HTTP', async () => {
    const { requests, transport } = scripted((request) =>
      request.url.startsWith('https:') ? { fail: wrongVersion() } : { status: 200 },
    );
    await http('127.0.0.1:5000', transport).send({ ...GET, url: 'app/blobs/x' });
    expect(requests.map((request) => request.url)).toEqual([
      'https://127.0.0.1:5000/v2/',
      'http://127.0.0.1:5000/v2/',
      'http://127.0.0.1:5000/v2/app/blobs/x',
    ]);
  });

  it('a remote registry without TLS: no plain HTTP unless insecure', async () => {
    const { requests, transport } = scripted((request) =>
      request.url.startsWith('https:') ? { fail: refused() } : { status: 200 },
    );
    const error = await rejection(
      http('registry.example', transport, { retry: { attempts: 2, baseDelayMs: 1 } }).base(),
    );
    expect(error.code).toBe('REGISTRY_UNREACHABLE');
    expect(error.message).toContain('https://registry.example/v2/');
    expect(error.message).toContain('ECONNREFUSED');
    expect(requests.every((request) => request.url.startsWith('https:'))).toBe(true);
    expect(requests).toHaveLength(2);

    const insecure = scripted((request) =>
      request.url.startsWith('https:') ? { fail: refused() } : { status: 200 },
    );
    expect(await http('registry.example', insecure.transport, { insecure: true }).base()).toBe(
      'http://registry.example/v2/',
    );
  });

  it('a certificate that fails verification: REGISTRY_TLS_ERROR, never a fall back to HTTP, never retried', async () => {
    const { requests, transport } = scripted(() => ({ fail: tlsError() }));
    const error = await rejection(http('localhost:5000', transport).base());
    expect(error.code).toBe('REGISTRY_TLS_ERROR');
    expect(error.message).toContain('--cert-dir');
    expect(error.message).toContain('https://localhost:5000/v2/');
    expect(requests).toHaveLength(1);
  });

  it('a failed ping does not stick: the next call pings again', async () => {
    let up = false;
    const { requests, transport } = scripted(() => (up ? { status: 200 } : { fail: refused() }));
    const client = http('registry.example', transport, { retry: { attempts: 1 } });
    await rejection(client.base());
    up = true;
    expect(await client.base()).toBe('https://registry.example/v2/');
    expect(requests).toHaveLength(2);
  });

  it('a /v2/ that is no registry (404): REGISTRY_NOT_FOUND naming it', async () => {
    const { transport } = scripted(() => ({ status: 404 }));
    const error = await rejection(http('registry.example', transport).base());
    expect(error.code).toBe('REGISTRY_NOT_FOUND');
    expect(error.message).toContain('registry registry.example');
  });
});

describe('what is retried', () => {
  it('the caller aborting: its reason, at once, no retry', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const { requests, transport } = scripted((request) => {
      if (request.url.endsWith('/v2/')) return { status: 200 };
      controller.abort(reason);
      return { fail: new DOMException('aborted', 'AbortError') };
    });
    await expect(
      http('registry.example', transport).send({ ...GET, url: 'x', signal: controller.signal }),
    ).rejects.toBe(reason);
    expect(requests).toHaveLength(2);
  });

  it('a streamed body is never sent twice (not replayable)', async () => {
    const { requests, transport } = scripted((request) =>
      request.url.endsWith('/v2/') ? { status: 200 } : { status: 503 },
    );
    async function* body() {
      yield new Uint8Array([1]);
    }
    const error = await rejection(
      http('registry.example', transport).send({
        method: 'PATCH',
        url: 'u',
        body: body(),
        scopes: [],
        ok: [202],
        what: 'upload',
      }),
    );
    expect(error.code).toBe('REGISTRY_ERROR');
    expect(requests).toHaveLength(2);
  });

  it('a LayerkitError from the transport passes through unchanged', async () => {
    const own = new LayerkitError('PERMISSION_DENIED', 'from the transport');
    const { transport } = scripted((request) =>
      request.url.endsWith('/v2/') ? { status: 200 } : { fail: own },
    );
    await expect(http('registry.example', transport).send({ ...GET, url: 'x' })).rejects.toBe(own);
  });

  it('a 429 whose Retry-After is over the limit says so in its one line', async () => {
    const { transport } = scripted((request) =>
      request.url.endsWith('/v2/')
        ? { status: 200 }
        : {
            status: 429,
            headers: { 'Retry-After': '3600', 'Content-Type': 'application/json' },
            body: JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }),
          },
    );
    const error = await rejection(http('registry.example', transport).send({ ...GET, url: 'x' }));
    expect(error.code).toBe('REGISTRY_RATE_LIMITED');
    expect(error.message).toBe(
      'thing: GET https://registry.example/v2/x: HTTP 429 TOOMANYREQUESTS: slow down; the registry asks to wait 3600 s, longer than the 30 s limit',
    );
  });
});

describe('redirects', () => {
  it('a 303 turns into a GET without a body', async () => {
    const { requests, transport } = scripted((request) => {
      if (request.url.endsWith('/v2/')) return { status: 200 };
      if (request.url.endsWith('/post')) return { status: 303, headers: { Location: '/v2/result' } };
      return { status: 200 };
    });
    await http('registry.example', transport).send({
      method: 'POST',
      url: 'post',
      body: new Uint8Array([1]),
      scopes: [],
      ok: [200],
      what: 'x',
      followRedirects: true,
    });
    expect(requests.at(-1)).toMatchObject({ method: 'GET', url: 'https://registry.example/v2/result' });
    expect(requests.at(-1)!.body).toBeUndefined();
  });

  it('not followed unless asked: a 3xx is an error', async () => {
    const { transport } = scripted((request) =>
      request.url.endsWith('/v2/') ? { status: 200 } : { status: 307, headers: { Location: 'https://x/' } },
    );
    const error = await rejection(http('registry.example', transport).send({ ...GET, url: 'x' }));
    expect(error.code).toBe('REGISTRY_ERROR');
    expect(error.message).toContain('HTTP 307');
  });

  it("a caller's own Authorization header does not follow a redirect to another origin", async () => {
    const { requests, transport } = scripted((request) => {
      if (request.url.endsWith('/v2/')) return { status: 200 };
      if (request.url.startsWith('https://registry.example/'))
        return { status: 307, headers: { Location: 'https://storage.example/blob' } };
      return { status: 200 };
    });
    await http('registry.example', transport).send({
      ...GET,
      url: 'x',
      headers: { authorization: 'Basic c2VjcmV0', 'X-Keep': 'yes' },
      followRedirects: true,
    });
    expect(requests.at(-1)!.url).toBe('https://storage.example/blob');
    expect(requests.at(-1)!.headers).not.toHaveProperty('authorization');
    expect(requests.at(-1)!.headers).toHaveProperty('X-Keep', 'yes');
    expect(requests[1]!.headers).toHaveProperty('authorization', 'Basic c2VjcmV0');
  });
});
