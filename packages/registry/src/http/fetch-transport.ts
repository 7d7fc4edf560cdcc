/**
 * The portable transport: any runtime's `fetch` (browsers, Deno, Bun, Node). Node's own
 * transport in `@layerkit/registry/node` adds what `fetch` cannot express there: extra CAs,
 * client certificates and turning TLS verification off.
 */
import type { HttpResponse, HttpTransport } from './transport.js';

/** The subset of `fetch` this transport calls. */
export type FetchFunction = (url: string, init: RequestInit & { duplex?: 'half' }) => Promise<Response>;

/**
 * The chunks of a response body. A reader that stops early (an error, a size cap, `break`)
 * cancels the stream: releasing the lock alone would leave the body flowing and the connection
 * taken until garbage collection.
 */
async function* readStream(stream: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (stream === null) return;
  const reader = stream.getReader();
  let ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        return;
      }
      yield value;
    }
  } finally {
    if (!ended) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

function requestStream(body: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/**
 * A transport over `fetchFunction` (default: the global `fetch`). Redirects are returned to the
 * client (`redirect: 'manual'`); where a runtime hides them (browsers answer an opaque
 * response), pass `followRedirects: true` and let the runtime follow them.
 */
export function fetchTransport(
  options: { fetch?: FetchFunction; followRedirects?: boolean } = {},
): HttpTransport {
  const send = options.fetch ?? (globalThis.fetch as FetchFunction);
  return async (request): Promise<HttpResponse> => {
    const init: RequestInit & { duplex?: 'half' } = {
      method: request.method,
      headers: request.headers,
      redirect: options.followRedirects ? 'follow' : 'manual',
    };
    if (request.signal !== undefined) init.signal = request.signal;
    // fetch takes bytes over an ArrayBuffer; layerkit's request bodies never sit on a SharedArrayBuffer.
    if (request.body instanceof Uint8Array) init.body = request.body as Uint8Array<ArrayBuffer>;
    else if (request.body !== undefined) {
      init.body = requestStream(request.body);
      init.duplex = 'half';
    }
    const response = await send(request.url, init);
    return {
      status: response.status,
      headers: response.headers,
      body: readStream(response.body),
      cancel: async () => {
        await response.body?.cancel().catch(() => {});
      },
    };
  };
}
