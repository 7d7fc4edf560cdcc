/**
 * The one error type every layerkit package throws for expected failures (bad input,
 * corrupt blobs, limits). `code` is stable for programs; the message names the path or
 * digest for people.
 */
export class LayerkitError extends Error {
  /** A stable, machine-readable code such as `INVALID_DIGEST` or `BLOB_CORRUPT`. */
  readonly code: string;
  /** Structured facts about the failure (path, digest, expected/actual sizes …). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LayerkitError';
    this.code = code;
    this.details = details;
  }
}

/** True when `error` is a LayerkitError, optionally with the given code. */
export function isLayerkitError(error: unknown, code?: string): error is LayerkitError {
  return error instanceof LayerkitError && (code === undefined || error.code === code);
}
