/** One request as the registry's access log recorded it. */
export interface RegistryRequest {
  readonly method: string;
  /** Path as sent (still percent-encoded), e.g. `/v2/a/b/blobs/uploads/`. */
  readonly path: string;
  /** Decoded query parameters, e.g. `{ mount: 'sha256:…', from: 'a/b' }`. */
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
}

/**
 * A line of distribution's access log (gorilla/handlers' combined log format, on stdout):
 * `127.0.0.1 - - [02/Dec/2026:03:35:08 +0000] "GET /v2/?x=1 HTTP/1.1" 200 2 "" "curl/7.88.1"`.
 */
const ACCESS_LINE = /^\S+ \S+ \S+ \[[^\]]*\] "(\S+) (\S+) [^"]*" (\d{3}) /;

/** The requests in a registry log (its other lines, logrus records on stderr, are skipped). */
export function parseAccessLog(log: string): RegistryRequest[] {
  const requests: RegistryRequest[] = [];
  for (const line of log.split('\n')) {
    const match = ACCESS_LINE.exec(line);
    if (match === null) continue;
    const [, method = '', uri = '', status = ''] = match;
    const queryStart = uri.indexOf('?');
    const path = queryStart === -1 ? uri : uri.slice(0, queryStart);
    const query = queryStart === -1 ? '' : uri.slice(queryStart + 1);
    requests.push({
      method,
      path,
      query: Object.fromEntries(new URLSearchParams(query)),
      status: Number(status),
    });
  }
  return requests;
}
