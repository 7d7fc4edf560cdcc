import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A response, read to the end. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * GET `url` (http or https). node:https instead of fetch because a run's own CA must be
 * trusted (`ca`), which fetch cannot be told without an extra dependency.
 */
export function httpGet(
  url: string,
  options: {
    readonly ca?: Buffer | undefined;
    readonly headers?: Readonly<Record<string, string>> | undefined;
  } = {},
): Promise<HttpResponse> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ca: options.ca, headers: options.headers, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`interop: GET ${url}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}
