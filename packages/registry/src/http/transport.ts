/**
 * The one thing the registry client needs from a platform: send one HTTP request and hand back
 * the status, headers and a streamed body. Redirects are NOT followed here: the client follows
 * them itself, so that credentials never travel to another host and loops are bounded.
 */

/** Response headers, looked up case-insensitively (the `Headers` of `fetch` qualifies). */
export interface ResponseHeaders {
  /** The value of header `name` (any case), or `null` when absent; repeated headers joined by `, `. */
  get(name: string): string | null;
}

/** One HTTP request. */
export interface HttpRequest {
  /** The HTTP method. */
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The absolute URL (`https://…` or `http://…`). */
  url: string;
  /** Headers to send, by name (`Authorization`, `Accept`, `Content-Type` …). */
  headers: Readonly<Record<string, string>>;
  /** A body sent as is (a `Uint8Array` can be sent again on a retry; a stream cannot). */
  body?: Uint8Array | AsyncIterable<Uint8Array>;
  /** Aborts the request, including a body still being read. */
  signal?: AbortSignal;
}

/** One HTTP response; its body must be read to the end or cancelled. */
export interface HttpResponse {
  /** The HTTP status code; redirects (3xx) are returned as they are. */
  status: number;
  /** The response headers. */
  headers: ResponseHeaders;
  /** The response body, streamed (empty for `HEAD`). */
  body: AsyncIterable<Uint8Array>;
  /** Discards the rest of the body and frees the connection. */
  cancel(): Promise<void>;
}

/** Sends a request; rejects only when no response arrived (connection, TLS, abort). */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;
