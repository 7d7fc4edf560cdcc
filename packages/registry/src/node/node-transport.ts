/**
 * The Node transport: node:http and node:https with keep-alive connections, and the TLS
 * settings `fetch` cannot take in Node — extra CAs (beside the system's and
 * `NODE_EXTRA_CA_CERTS`), a client certificate, and verification turned off
 * (`--tls-verify=false`). Request bodies stream with backpressure.
 */

import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { finished } from 'node:stream/promises';
import { readRegularFile } from '@layerkit/digest/internal/node';
import type { HttpRequest, HttpResponse, HttpTransport } from '../http/transport.js';

/**
 * node:http, node:https and node:tls, loaded when a transport is made: an ESM import of node:http
 * evaluates its lazy getters, which load undici, and node:tls loads the TLS stack (~15 ms each of
 * every command's start-up on Node 24, most of which never talk to a registry).
 */
const requireBuiltin = createRequire(import.meta.url);

/** TLS and connection settings of the Node transport. */
export interface NodeTransportOptions {
  /** Verify the server's certificate (default true). */
  tlsVerify?: boolean | undefined;
  /** PEM CA certificates to trust besides the system's. */
  ca?: readonly string[] | undefined;
  /** PEM client certificate and key, for registries that require mutual TLS. */
  clientCertificate?:
    | {
        /** The PEM certificate chain. */
        cert: string;
        /** The PEM private key. */
        key: string;
      }
    | undefined;
  /** Connections per host (default 16). */
  maxSockets?: number | undefined;
}

/** Bodies up to this size are drained on cancel so the connection can be reused. */
const DRAIN_LIMIT = 64 * 1024;

/** The CAs Node trusts by default when `ca` is not given: its bundle and `NODE_EXTRA_CA_CERTS`. */
function defaultCertificates(): string[] {
  const { rootCertificates } = requireBuiltin('node:tls') as typeof import('node:tls');
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (extra === undefined || extra === '') return [...rootCertificates];
  try {
    return [...rootCertificates, new TextDecoder().decode(readRegularFile(extra, { followSymlinks: true }))];
  } catch {
    return [...rootCertificates];
  }
}

function responseOf(response: IncomingMessage, method: HttpRequest['method']): HttpResponse {
  return {
    status: response.statusCode ?? 0,
    headers: {
      get(name) {
        const value = response.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
    body: response,
    async cancel() {
      if (response.readableEnded || response.destroyed) return;
      // A connection returns to the pool only once its response was read to the end: drain what
      // is small or already received, and close the connection rather than read a large body.
      const length = Number(response.headers['content-length']);
      const small =
        method === 'HEAD' || response.complete || (Number.isFinite(length) && length <= DRAIN_LIMIT);
      if (small) {
        response.resume();
        await finished(response).catch(() => {});
      } else {
        response.destroy();
      }
    },
  };
}

async function sendBody(
  outgoing: ReturnType<typeof import('node:http').request>,
  body: HttpRequest['body'],
): Promise<void> {
  if (body === undefined) return void outgoing.end();
  if (body instanceof Uint8Array) return void outgoing.end(body);
  try {
    for await (const chunk of body) {
      if (!outgoing.write(chunk)) await once(outgoing, 'drain');
    }
    outgoing.end();
  } catch (error) {
    outgoing.destroy(error as Error);
  }
}

/** A transport over node:http/https with `options`' TLS settings. */
export function nodeTransport(options: NodeTransportOptions = {}): HttpTransport {
  const { Agent: HttpAgent, request: httpRequest } = requireBuiltin(
    'node:http',
  ) as typeof import('node:http');
  const { Agent: HttpsAgent, request: httpsRequest } = requireBuiltin(
    'node:https',
  ) as typeof import('node:https');
  const maxSockets = options.maxSockets ?? 16;
  const http = new HttpAgent({ keepAlive: true, maxSockets });
  const https = new HttpsAgent({
    keepAlive: true,
    maxSockets,
    rejectUnauthorized: options.tlsVerify !== false,
    ...(options.ca?.length ? { ca: [...defaultCertificates(), ...options.ca] } : {}),
    ...(options.clientCertificate ?? {}),
  });
  return (request) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const secure = request.url.startsWith('https:');
      const send = secure ? httpsRequest : httpRequest;
      const outgoing = send(request.url, {
        method: request.method,
        headers: request.headers,
        agent: secure ? https : http,
        signal: request.signal,
      });
      outgoing.once('error', reject);
      outgoing.once('response', (response) => {
        outgoing.off('error', reject);
        // Later failures (a reset mid-body) reach the body's reader through the response.
        outgoing.on('error', (error) => response.destroy(error));
        resolve(responseOf(response, request.method));
      });
      void sendBody(outgoing, request.body);
    });
}
