/**
 * Registry failures as layerkit errors: the registry's own JSON `errors` (distribution spec
 * "Error Codes") surfaced in one line, with a code a program can branch on. URLs are shown
 * without their query (pre-signed storage URLs carry signatures there); credentials never appear.
 */
import { LayerkitError, type LayerkitErrorCode } from '@layerkit/digest';

/** One entry of a registry's `{"errors": [...]}` body. */
export interface RegistryErrorEntry {
  code: string;
  message: string;
}

/** An URL as errors show it: scheme, host and path only. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '<invalid URL>';
  }
}

/**
 * `text` on one line: line breaks, control characters (C0, DEL, C1) and Unicode line and
 * paragraph separators become single spaces, so a registry cannot break an error's line.
 */
function oneLine(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** The `errors` a registry put in a response body (on one line each), or none when it is not that JSON. */
export function parseRegistryErrors(body: Uint8Array): RegistryErrorEntry[] {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(body));
    const errors = (parsed as { errors?: unknown }).errors;
    if (!Array.isArray(errors)) return [];
    return errors.flatMap((entry: unknown) => {
      const { code, message } = (entry ?? {}) as { code?: unknown; message?: unknown };
      if (typeof code !== 'string') return [];
      return [
        {
          code: oneLine(code.slice(0, 100)),
          message: typeof message === 'string' ? oneLine(message.slice(0, 300)) : '',
        },
      ];
    });
  } catch {
    return [];
  }
}

const STATUS_MEANINGS: Readonly<Record<number, string>> = {
  401: 'unauthorized: authentication required (pass --creds, or log in with podman or docker)',
  403: 'denied: the credentials do not allow this',
  404: 'not found',
  429: 'too many requests',
};

/** The layerkit code for an HTTP failure: what a caller branches on, whatever the registry. */
function codeFor(
  status: number,
  entries: readonly RegistryErrorEntry[],
  notFound: LayerkitErrorCode,
): LayerkitErrorCode {
  if (status === 401) return 'REGISTRY_UNAUTHORIZED';
  if (status === 403) return 'REGISTRY_DENIED';
  if (status === 404) return notFound;
  if (status === 429 || entries.some((entry) => entry.code === 'TOOMANYREQUESTS'))
    return 'REGISTRY_RATE_LIMITED';
  return 'REGISTRY_ERROR';
}

/**
 * The error for an unexpected status. `what` names the object (`manifest docker.io/library/nginx:latest`),
 * `notFound` is the code a 404 means for it (`IMAGE_NOT_FOUND`, `BLOB_MISSING` …), `note` ends
 * the line (why the client gave up, say).
 */
export function registryStatusError(
  what: string,
  method: string,
  url: string,
  status: number,
  body: Uint8Array,
  notFound: LayerkitErrorCode = 'REGISTRY_NOT_FOUND',
  note?: string,
): LayerkitError {
  const entries = parseRegistryErrors(body);
  // A HEAD (or a terse registry) answers without a body: say what the status means.
  const said =
    entries.map((entry) => (entry.message ? `${entry.code}: ${entry.message}` : entry.code)).join('; ') ||
    (STATUS_MEANINGS[status] ?? '');
  const shown = describeUrl(url);
  return new LayerkitError(
    codeFor(status, entries, notFound),
    `${what}: ${method} ${shown}: HTTP ${status}${said ? ` ${said}` : ''}${note ? `; ${note}` : ''}`,
    { url: shown, method, status, registryErrors: entries },
  );
}

/** The error for a registry that broke the protocol (a lie, a loop, a malformed answer). */
export function registryProtocolError(what: string, url: string, problem: string): LayerkitError {
  const shown = describeUrl(url);
  return new LayerkitError('REGISTRY_PROTOCOL_ERROR', `${what}: ${shown}: ${problem}`, { url: shown });
}
