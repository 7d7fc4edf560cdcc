/**
 * The transport contract (`HttpTransport`) on the portable fetch transport (the global `fetch`:
 * what the core runs on outside Node) and on the Node transport: streamed request bodies (duplex),
 * redirects handed back rather than followed, case-insensitive headers, cancellation, aborts, and
 * a body abandoned half-way letting go of its connection.
 */
import { fetchTransport, type HttpTransport } from '@layerkit/registry';
import { nodeTransport } from '@layerkit/registry/node';
import { describe, expect, it } from 'vitest';
import { bytesOf, collect, settlesWithin, useRegistries } from './fixture.js';
import type { Exchange } from './hostile-registry.js';

const ctx = useRegistries();

const TRANSPORTS: { name: string; make: () => HttpTransport }[] = [
  { name: 'fetchTransport (global fetch)', make: () => fetchTransport() },
  { name: 'nodeTransport', make: () => nodeTransport() },
];

/** Streams an endless body until the client hangs up; `closed()` says whether it did. */
function endless(ex: Exchange): void {
  ex.res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
  let open = true;
  ex.res.on('close', () => {
    open = false;
  });
  const pump = () => {
    while (open && ex.res.write(Buffer.alloc(65536, 1)));
    if (open) ex.res.once('drain', pump);
  };
  pump();
}

describe.each(TRANSPORTS)('$name', ({ make }) => {
  it('GET: status, case-insensitive headers, the body streamed', async () => {
    const payload = bytesOf(1, 300_000);
    ctx.registry.on({ path: '/thing' }, (ex) => ex.send(200, { 'X-Thing': 'yes' }, payload));
    const response = await make()({
      method: 'GET',
      url: `${ctx.registry.origin}/thing`,
      headers: { Accept: 'application/octet-stream', 'X-Asked': '1' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-thing')).toBe('yes');
    expect(response.headers.get('X-THING')).toBe('yes');
    expect(response.headers.get('absent')).toBeNull();
    expect((await collect(response.body)).equals(Buffer.from(payload))).toBe(true);
    expect(ctx.registry.requests[0]!.headers['x-asked']).toBe('1');
  });

  it('a streamed request body (duplex): every chunk arrives, in order, produced lazily', async () => {
    const parts = [bytesOf(1, 70_000), bytesOf(2, 1), bytesOf(3, 200_000), bytesOf(4, 5)];
    let produced = 0;
    async function* body() {
      for (const part of parts) {
        produced++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        yield part;
      }
    }
    ctx.registry.on({ path: '/upload' }, (ex) => ex.send(201, {}, String(ex.request.body.length)));
    const response = await make()({
      method: 'PATCH',
      url: `${ctx.registry.origin}/upload`,
      headers: { 'Content-Type': 'application/octet-stream' },
      body: body(),
    });
    expect(response.status).toBe(201);
    await response.cancel();
    expect(produced).toBe(parts.length);
    expect(ctx.registry.requests[0]!.body.equals(Buffer.concat(parts))).toBe(true);
  });

  it('a Uint8Array body with its Content-Length', async () => {
    const payload = bytesOf(5, 10_000);
    ctx.registry.on({ path: '/put' }, (ex) => ex.send(201));
    const response = await make()({
      method: 'PUT',
      url: `${ctx.registry.origin}/put`,
      headers: { 'Content-Length': String(payload.length) },
      body: payload,
    });
    await response.cancel();
    expect(response.status).toBe(201);
    const [request] = ctx.registry.requests;
    expect(request!.headers['content-length']).toBe('10000');
    expect(request!.body.equals(Buffer.from(payload))).toBe(true);
  });

  it('a streamed body whose producer fails: the request fails, nothing is answered as success', async () => {
    async function* body() {
      yield bytesOf(1, 1000);
      throw new Error('producer failed');
    }
    ctx.registry.on({ path: '/upload' }, (ex) => ex.send(201));
    const outcome = await settlesWithin(
      make()({ method: 'PATCH', url: `${ctx.registry.origin}/upload`, headers: {}, body: body() }).then(
        async (response) => {
          await response.cancel();
          return response.status;
        },
        () => 'rejected',
      ),
    );
    expect(outcome).toBe('rejected');
    expect(ctx.registry.requestsTo('/upload')).toEqual([]);
  });

  it('a redirect is handed back to the caller, not followed', async () => {
    ctx.registry.on({ path: '/from' }, (ex) => ex.send(307, { Location: `${ctx.other.origin}/to` }));
    const response = await make()({
      method: 'GET',
      url: `${ctx.registry.origin}/from`,
      headers: { Authorization: 'Bearer secret' },
    });
    await response.cancel();
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe(`${ctx.other.origin}/to`);
    expect(ctx.other.requests).toEqual([]);
  });

  it('an abort signal ends a request that gets no answer', async () => {
    ctx.registry.on({ path: '/never' }, () => {});
    const controller = new AbortController();
    const pending = make()({
      method: 'GET',
      url: `${ctx.registry.origin}/never`,
      headers: {},
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(settlesWithin(pending)).rejects.toBeDefined();
  });

  it('an abort signal ends a body mid-stream', async () => {
    ctx.registry.on({ path: '/endless' }, endless);
    const controller = new AbortController();
    const response = await make()({
      method: 'GET',
      url: `${ctx.registry.origin}/endless`,
      headers: {},
      signal: controller.signal,
    });
    const reading = (async () => {
      for await (const _ of response.body) controller.abort();
    })();
    await expect(settlesWithin(reading)).rejects.toBeDefined();
  });

  it('cancel() of an unread large body lets the connection go', async () => {
    let closed = false;
    ctx.registry.on({ path: '/endless' }, (ex) => {
      ex.res.on('close', () => {
        closed = true;
      });
      endless(ex);
    });
    const response = await make()({ method: 'GET', url: `${ctx.registry.origin}/endless`, headers: {} });
    await settlesWithin(response.cancel());
    await expect.poll(() => closed, { timeout: 5_000 }).toBe(true);
  });

  it('a body abandoned half-way (the reader stops) lets the connection go', async () => {
    let closed = false;
    ctx.registry.on({ path: '/endless' }, (ex) => {
      ex.res.on('close', () => {
        closed = true;
      });
      endless(ex);
    });
    const response = await make()({ method: 'GET', url: `${ctx.registry.origin}/endless`, headers: {} });
    let seen = 0;
    for await (const chunk of response.body) {
      seen += chunk.length;
      if (seen > 100_000) break;
    }
    await expect.poll(() => closed, { timeout: 5_000 }).toBe(true);
  });

  it('a connection refused: the promise rejects (no response)', async () => {
    const origin = ctx.other.origin;
    await ctx.other.close();
    await expect(make()({ method: 'GET', url: `${origin}/v2/`, headers: {} })).rejects.toBeDefined();
  });
});

describe('fetchTransport options', () => {
  it('uses the fetch function it is given, with redirect: manual and duplex for streams', async () => {
    const calls: { url: string; init: RequestInit & { duplex?: string } }[] = [];
    const transport = fetchTransport({
      fetch: (url, init) => {
        calls.push({ url, init });
        return fetch(url, init);
      },
    });
    ctx.registry.on({ path: '/x' }, (ex) => ex.send(200, {}, 'ok'));
    async function* body() {
      yield new Uint8Array([1, 2, 3]);
    }
    const response = await transport({
      method: 'POST',
      url: `${ctx.registry.origin}/x`,
      headers: {},
      body: body(),
    });
    expect(Buffer.from(await collect(response.body)).toString()).toBe('ok');
    expect(calls[0]!.init.redirect).toBe('manual');
    expect(calls[0]!.init.duplex).toBe('half');
  });

  it('followRedirects: true lets the runtime follow them (for browsers)', async () => {
    ctx.registry.on({ path: '/from' }, (ex) => ex.send(302, { Location: `${ctx.other.origin}/to` }));
    ctx.other.on({ path: '/to' }, (ex) => ex.send(200, {}, 'there'));
    const response = await fetchTransport({ followRedirects: true })({
      method: 'GET',
      url: `${ctx.registry.origin}/from`,
      headers: {},
    });
    expect(response.status).toBe(200);
    expect(Buffer.from(await collect(response.body)).toString()).toBe('there');
  });
});
