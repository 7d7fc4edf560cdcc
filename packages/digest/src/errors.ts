/**
 * The one error type every layerkit package throws for expected failures (bad input,
 * corrupt blobs, limits, registries). `code` is stable for programs (a {@link LayerkitErrorCode});
 * the message names the path, digest or reference for people.
 */
import type { LayerkitErrorCode } from './error-codes.js';

/** An expected failure of a layerkit operation. */
export class LayerkitError extends Error {
  /** A stable, machine-readable code such as `INVALID_DIGEST` or `BLOB_CORRUPT`. */
  readonly code: LayerkitErrorCode;
  /** Structured facts about the failure (path, digest, expected/actual sizes …). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: LayerkitErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'LayerkitError';
    this.code = code;
    this.details = details;
  }
}

/** True when `error` is a LayerkitError, optionally with the given code. */
export function isLayerkitError(error: unknown, code?: LayerkitErrorCode): error is LayerkitError {
  return error instanceof LayerkitError && (code === undefined || error.code === code);
}
