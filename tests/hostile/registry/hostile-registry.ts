/**
 * A registry that lies on request: a small node:http server on 127.0.0.1 (a port the kernel
 * picks) that behaves as an honest distribution registry — manifests, blobs with Range,
 * chunked uploads with `Content-Range`, mounts, tags, Basic or Bearer auth with its own token
 * endpoint — until a test scripts a rule that answers some request otherwise. Every request is
 * recorded (method, URL, headers, body) so tests can assert what the client sent, and where.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the server received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  /** The path without the query. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What a rule sees and answers with. */
export interface Exchange {
  readonly request: RecordedRequest;
  readonly query: URLSearchParams;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly registry: HostileRegistry;
  /** Answers as the honest registry would. */
  honest(): Promise<void>;
  /** Answers `status` with `headers` and `body` (Content-Length set unless `headers` says otherwise). */
  send(status: number, headers?: Record<string, string | number>, body?: string | Uint8Array): void;
  /** Answers a distribution `{"errors": [...]}` body. */
  error(status: number, code: string, message: string, headers?: Record<string, string | number>): void;
}

/** Which requests a rule answers: method, path (exact, or a pattern), and how often. */
export interface RuleMatch {
  method?: string;
  path?: string | RegExp;
  /** Answers this many matching requests, then steps aside (default: all of them). */
  times?: number;
}

/** A registered rule: how often it answered. */
export interface RuleHandle {
  readonly calls: number;
}

/** How the honest registry authenticates. */
export type AuthConfig =
  | { scheme: 'basic'; username: string; password: string }
  | {
      scheme: 'bearer';
      /** Credentials the token endpoint requires (default: anonymous tokens). */
      username?: string;
      password?: string;
      /** The realm in the challenge (default `http://HOST/token`). */
      realm?: string;
      expiresIn?: number;
    };

interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
}

interface UploadSession {
  repository: string;
  data: Buffer;
}

/** The sha256 digest of `bytes` (node:crypto). */
export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const MANIFEST = /^\/v2\/(.+)\/manifests\/([^/]+)$/;
const BLOB = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/;
const UPLOAD = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/;
const TAGS = /^\/v2\/(.+)\/tags\/list$/;

/** A scriptable registry; start it with {@link startHostileRegistry}. */
export class HostileRegistry {
  readonly server: Server;
  /** `127.0.0.1:PORT`, as references name it. */
  readonly host: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly requests: RecordedRequest[] = [];
  /** Token requests the honest token endpoint answered, with their scopes. */
  readonly tokenRequests: {
    method: string;
    scopes: string[];
    authorization?: string;
    form?: URLSearchParams;
  }[] = [];
  auth: AuthConfig | undefined;
  readonly #blobs = new Map<string, Map<string, Buffer>>();
  readonly #manifests = new Map<string, Map<string, StoredManifest>>();
  readonly #tags = new Map<string, Map<string, string>>();
  readonly #uploads = new Map<string, UploadSession>();
  readonly #tokens = new Set<string>();
  readonly #rules: {
    match: RuleMatch;
    handler: (exchange: Exchange) => unknown;
    handle: { calls: number };
  }[] = [];
  readonly #sockets = new Set<Socket>();

  constructor(server: Server) {
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.host = `127.0.0.1:${port}`;
    this.origin = `http://${this.host}`;
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.on('request', (req, res) => void this.#dispatch(req, res));
  }

  /** `docker://127.0.0.1:PORT/<rest>` for image operations. */
  reference(rest: string): string {
    return `docker://${this.host}/${rest}`;
  }

  /** Answers requests matching `match` with `handler` (rules are tried in the order added). */
  on(match: RuleMatch, handler: (exchange: Exchange) => unknown): RuleHandle {
    const handle = { calls: 0 };
    this.#rules.push({ match, handler, handle });
    return handle;
  }

  /** The recorded requests whose path matches `path` (and `method`, when given). */
  requestsTo(path: RegExp | string, method?: string): RecordedRequest[] {
    return this.requests.filter(
      (request) =>
        (method === undefined || request.method === method) &&
        (typeof path === 'string' ? request.path === path : path.test(request.path)),
    );
  }

  // ---- the honest registry's contents ------------------------------------------------------

  putBlob(repository: string, bytes: Uint8Array): { digest: string; size: number } {
    const digest = sha256(bytes);
    this.#map(this.#blobs, repository).set(digest, Buffer.from(bytes));
    return { digest, size: bytes.length };
  }

  blob(repository: string, digest: string): Buffer | undefined {
    return this.#blobs.get(repository)?.get(digest);
  }

  putManifest(repository: string, bytes: Uint8Array, mediaType: string, tag?: string): string {
    const digest = sha256(bytes);
    this.#map(this.#manifests, repository).set(digest, { bytes: Buffer.from(bytes), mediaType });
    if (tag !== undefined) this.#map(this.#tags, repository).set(tag, digest);
    return digest;
  }

  manifest(repository: string, reference: string): StoredManifest | undefined {
    const digest = reference.startsWith('sha256:') ? reference : this.#tags.get(repository)?.get(reference);
    return digest === undefined ? undefined : this.#manifests.get(repository)?.get(digest);
  }

  /** Every tag of `repository`, and the digest each points at. */
  tags(repository: string): Record<string, string> {
    return Object.fromEntries(this.#tags.get(repository) ?? []);
  }

  /** Every manifest digest stored in `repository`. */
  manifestDigests(repository: string): string[] {
    return [...(this.#manifests.get(repository)?.keys() ?? [])].sort();
  }

  /** Upload sessions still open. */
  get openUploads(): number {
    return this.#uploads.size;
  }

  /** Stops the server, cutting every connection (stalled ones included). */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #map<V>(maps: Map<string, Map<string, V>>, repository: string): Map<string, V> {
    let map = maps.get(repository);
    if (map === undefined) {
      map = new Map();
      maps.set(repository, map);
    }
    return map;
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return; // the client went away mid-body
    }
    const url = new URL(req.url ?? '/', this.origin);
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      path: url.pathname,
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    this.requests.push(request);
    const exchange: Exchange = {
      request,
      query: url.searchParams,
      req,
      res,
      registry: this,
      honest: () => this.#honest(exchange),
      send: (status, headers = {}, body = '') => {
        const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
        const lower = Object.keys(headers).map((name) => name.toLowerCase());
        const all: Record<string, string | number> = { ...headers };
        if (!lower.includes('content-length') && !lower.includes('transfer-encoding'))
          all['Content-Length'] = bytes.length;
        res.writeHead(status, all);
        res.end(request.method === 'HEAD' ? undefined : bytes);
      },
      error: (status, code, message, headers = {}) =>
        exchange.send(
          status,
          { 'Content-Type': 'application/json', ...headers },
          JSON.stringify({ errors: [{ code, message, detail: null }] }),
        ),
    };
    try {
      for (const rule of this.#rules) {
        const { match, handle } = rule;
        if (match.method !== undefined && match.method !== request.method) continue;
        if (match.path !== undefined) {
          const hit =
            typeof match.path === 'string' ? match.path === request.path : match.path.test(request.path);
          if (!hit) continue;
        }
        if (match.times !== undefined && handle.calls >= match.times) continue;
        handle.calls++;
        await rule.handler(exchange);
        return;
      }
      await this.#honest(exchange);
    } catch (error) {
      if (!res.headersSent) exchange.send(500, {}, String(error));
      else res.destroy();
    }
  }

  // ---- the honest registry -----------------------------------------------------------------

  #challenge(): string {
    const auth = this.auth!;
    if (auth.scheme === 'basic') return 'Basic realm="hostile"';
    return `Bearer realm="${auth.realm ?? `${this.origin}/token`}",service="hostile"`;
  }

  #authorized(exchange: Exchange): boolean {
    const auth = this.auth;
    if (auth === undefined) return true;
    const given = exchange.request.headers.authorization;
    if (auth.scheme === 'basic') {
      return given === `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    }
    return given?.startsWith('Bearer ') === true && this.#tokens.has(given.slice(7));
  }

  #token(exchange: Exchange) {
    const auth = this.auth;
    const { request } = exchange;
    const form = request.method === 'POST' ? new URLSearchParams(request.body.toString()) : undefined;
    const scopes = form
      ? (form.get('scope') ?? '').split(' ').filter(Boolean)
      : exchange.query.getAll('scope');
    const authorization = request.headers.authorization;
    this.tokenRequests.push({
      method: request.method,
      scopes,
      ...(authorization === undefined ? {} : { authorization }),
      ...(form === undefined ? {} : { form }),
    });
    if (auth?.scheme === 'bearer' && auth.username !== undefined) {
      const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
      const refresh = form?.get('refresh_token');
      if (authorization !== expected && refresh !== auth.password) {
        return exchange.error(401, 'UNAUTHORIZED', 'bad credentials');
      }
    }
    const token = `tkn-${randomUUID()}`;
    this.#tokens.add(token);
    const expiresIn = auth?.scheme === 'bearer' ? auth.expiresIn : undefined;
    exchange.send(
      200,
      { 'Content-Type': 'application/json' },
      JSON.stringify({ token, ...(expiresIn === undefined ? {} : { expires_in: expiresIn }) }),
    );
  }

  async #honest(exchange: Exchange): Promise<void> {
    const { request } = exchange;
    const { method, path } = request;
    if (path === '/token') return this.#token(exchange);
    if (!path.startsWith('/v2/')) return exchange.send(404);
    if (!this.#authorized(exchange)) {
      return exchange.error(401, 'UNAUTHORIZED', 'authentication required', {
        'WWW-Authenticate': this.#challenge(),
      });
    }
    if (path === '/v2/') {
      return exchange.send(200, { 'Docker-Distribution-API-Version': 'registry/2.0' }, '{}');
    }
    let match = UPLOAD.exec(path);
    if (match !== null) return this.#upload(exchange, match[1]!, match[2]!);
    match = BLOB.exec(path);
    if (match !== null) return this.#blob(exchange, match[1]!, match[2]!);
    match = MANIFEST.exec(path);
    if (match !== null) return this.#manifest(exchange, match[1]!, decodeURIComponent(match[2]!));
    match = TAGS.exec(path);
    if (match !== null && method === 'GET') {
      const tags = this.#tags.get(match[1]!);
      if (tags === undefined) return exchange.error(404, 'NAME_UNKNOWN', 'repository name not known');
      return exchange.send(
        200,
        { 'Content-Type': 'application/json' },
        JSON.stringify({ name: match[1], tags: [...tags.keys()].sort() }),
      );
    }
    return exchange.error(404, 'UNSUPPORTED', 'the operation is unsupported');
  }

  #blob(exchange: Exchange, repository: string, digest: string) {
    const { method } = exchange.request;
    const bytes = this.blob(repository, digest);
    if (method !== 'GET' && method !== 'HEAD') return exchange.error(405, 'UNSUPPORTED', 'no');
    if (bytes === undefined) return exchange.error(404, 'BLOB_UNKNOWN', 'blob unknown to registry');
    const headers = {
      'Content-Type': 'application/octet-stream',
      'Docker-Content-Digest': digest,
      'Accept-Ranges': 'bytes',
    };
    const range = /^bytes=(\d+)-$/.exec(exchange.request.headers.range ?? '');
    if (range !== null && method === 'GET') {
      const start = Number(range[1]);
      if (start >= bytes.length) {
        return exchange.send(416, { 'Content-Range': `bytes */${bytes.length}` });
      }
      return exchange.send(
        206,
        { ...headers, 'Content-Range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` },
        bytes.subarray(start),
      );
    }
    exchange.send(200, headers, bytes);
  }

  #manifest(exchange: Exchange, repository: string, reference: string) {
    const { method, body } = exchange.request;
    if (method === 'GET' || method === 'HEAD') {
      const stored = this.manifest(repository, reference);
      if (stored === undefined) return exchange.error(404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      return exchange.send(
        200,
        { 'Content-Type': stored.mediaType, 'Docker-Content-Digest': sha256(stored.bytes) },
        stored.bytes,
      );
    }
    if (method === 'PUT') {
      const digest = sha256(body);
      if (reference.startsWith('sha256:') && reference !== digest) {
        return exchange.error(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
      }
      let parsed: {
        config?: { digest: string };
        layers?: { digest: string }[];
        manifests?: { digest: string }[];
      };
      try {
        parsed = JSON.parse(body.toString());
      } catch {
        return exchange.error(400, 'MANIFEST_INVALID', 'manifest invalid');
      }
      const blobs = [parsed.config, ...(parsed.layers ?? [])].filter((ref) => ref !== undefined);
      for (const ref of blobs) {
        if (this.blob(repository, ref.digest) === undefined)
          return exchange.error(400, 'MANIFEST_BLOB_UNKNOWN', `blob unknown to registry: ${ref.digest}`);
      }
      for (const ref of parsed.manifests ?? []) {
        if (this.#manifests.get(repository)?.get(ref.digest) === undefined)
          return exchange.error(400, 'MANIFEST_UNKNOWN', `manifest unknown: ${ref.digest}`);
      }
      const mediaType = String(exchange.request.headers['content-type'] ?? '');
      this.putManifest(repository, body, mediaType, reference.startsWith('sha256:') ? undefined : reference);
      return exchange.send(201, {
        Location: `/v2/${repository}/manifests/${digest}`,
        'Docker-Content-Digest': digest,
      });
    }
    if (method === 'DELETE') {
      if (this.#manifests.get(repository)?.delete(reference) !== true)
        return exchange.error(404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      for (const [tag, digest] of this.#tags.get(repository) ?? []) {
        if (digest === reference) this.#tags.get(repository)!.delete(tag);
      }
      return exchange.send(202);
    }
    exchange.error(405, 'UNSUPPORTED', 'no');
  }

  #sessionHeaders(repository: string, id: string, session: UploadSession) {
    return {
      Location: `/v2/${repository}/blobs/uploads/${id}?_state=${randomUUID()}`,
      Range: `0-${Math.max(0, session.data.length - 1)}`,
      'Docker-Upload-UUID': id,
    };
  }

  #upload(exchange: Exchange, repository: string, id: string) {
    const { method, body, headers } = exchange.request;
    if (id === '') {
      if (method !== 'POST') return exchange.error(405, 'UNSUPPORTED', 'no');
      const mount = exchange.query.get('mount');
      const from = exchange.query.get('from');
      if (mount !== null && from !== null) {
        const bytes = this.blob(from, mount);
        if (bytes !== undefined) {
          this.#map(this.#blobs, repository).set(mount, bytes);
          return exchange.send(201, {
            Location: `/v2/${repository}/blobs/${mount}`,
            'Docker-Content-Digest': mount,
          });
        }
      }
      const fresh = randomUUID();
      const session = { repository, data: Buffer.alloc(0) };
      this.#uploads.set(fresh, session);
      return exchange.send(202, this.#sessionHeaders(repository, fresh, session));
    }
    const session = this.#uploads.get(id);
    if (session === undefined || session.repository !== repository)
      return exchange.error(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
    if (method === 'GET') return exchange.send(204, this.#sessionHeaders(repository, id, session));
    if (method === 'DELETE') {
      this.#uploads.delete(id);
      return exchange.send(204);
    }
    if (method === 'PATCH') {
      const range = /^(\d+)-(\d+)$/.exec(headers['content-range'] ?? '');
      if (range !== null && Number(range[1]) !== session.data.length) {
        return exchange.send(416, this.#sessionHeaders(repository, id, session));
      }
      session.data = Buffer.concat([session.data, body]);
      return exchange.send(202, this.#sessionHeaders(repository, id, session));
    }
    if (method === 'PUT') {
      session.data = Buffer.concat([session.data, body]);
      const digest = sha256(session.data);
      if (exchange.query.get('digest') !== digest)
        return exchange.error(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
      this.#uploads.delete(id);
      this.#map(this.#blobs, repository).set(digest, session.data);
      return exchange.send(201, {
        Location: `/v2/${repository}/blobs/${digest}`,
        'Docker-Content-Digest': digest,
      });
    }
    exchange.error(405, 'UNSUPPORTED', 'no');
  }

  /** Appends `bytes` to upload session `id` as if a PATCH had landed (a partial write, say). */
  appendToUpload(id: string, bytes: Uint8Array): void {
    const session = this.#uploads.get(id);
    if (session === undefined) throw new Error(`no upload ${id}`);
    session.data = Buffer.concat([session.data, bytes]);
  }
}

/** The upload session id in an upload URL path. */
export function uploadId(path: string): string {
  return UPLOAD.exec(path)?.[2] ?? '';
}

/** Starts a hostile registry on 127.0.0.1 at a port the kernel picks. */
export async function startHostileRegistry(): Promise<HostileRegistry> {
  const server = createServer({ keepAliveTimeout: 60_000 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return new HostileRegistry(server);
}
