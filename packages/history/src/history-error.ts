/**
 * The typed error @layerkit/history throws for expected failures. It has the same shape as
 * `LayerkitError` from @layerkit/digest (`code`, `message`, `details`) but is defined here because
 * this package depends on nothing (the design's one-way flow is history ← image).
 */
export class HistoryError extends Error {
  /** A stable, machine-readable code such as `INVALID_SOURCE_DATE_EPOCH`. */
  readonly code: string;
  /** Structured facts about the failure (the offending value …). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'HistoryError';
    this.code = code;
    this.details = details;
  }
}
