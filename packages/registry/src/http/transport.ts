/**
 * The one thing the registry client needs from a platform: send one HTTP request and hand back
 * the status, headers and a streamed body. Redirects are NOT followed here: the client follows
 * them itself, so that credentials never travel to another host and loops are bounded.
 */

/** Response headers, looked up case-insensitively (the `Headers` of `fetch` qualifies). */
export interface ResponseHeaders {
  get(name: string): string | null;
}

/** One HTTP request. */
export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Readonly<Record<string, string>>;
  /** A body sent as is (a `Uint8Array` can be sent again on a retry; a stream cannot). */
  body?: Uint8Array | AsyncIterable<Uint8Array>;
  /** Aborts the request, including a body still being read. */
  signal?: AbortSignal;
}

/** One HTTP response; its body must be read to the end or cancelled. */
export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  body: AsyncIterable<Uint8Array>;
  /** Discards the rest of the body and frees the connection. */
  cancel(): Promise<void>;
}

/** Sends a request; rejects only when no response arrived (connection, TLS, abort). */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;
