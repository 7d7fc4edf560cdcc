/**
 * A finding of `layerkit verify`: one rule an image breaks, how serious it is, and which
 * mainstream clients refuse such an image (docs/client-rejections.md lists every rule).
 */

/** `error`: a mainstream client refuses the image (verify fails); `warning`: a spec SHOULD or a lenient case. */
export type FindingSeverity = 'error' | 'warning';

/** One problem found in an image. */
export interface VerifyProblem {
  /**
   * A stable id: a rule of docs/client-rejections.md (`LAYER_MEDIA_TYPE_UNKNOWN`, …) or the code of
   * the error a check raised (`BLOB_CORRUPT`, `DIFFID_MISMATCH`, `TOO_FEW_NON_EMPTY_ENTRIES`, …).
   */
  code: string;
  /** `error` makes the image fail verification; a `warning` is reported only. */
  severity: FindingSeverity;
  /** A sentence for people, naming the digest, path or descriptor concerned. */
  message: string;
  /** The clients known to refuse such an image (docs/client-rejections.md says how it is known). */
  rejectedBy?: string[];
}

/** Builds a finding; `rejectedBy` is left out when empty. */
export function finding(
  code: string,
  severity: FindingSeverity,
  message: string,
  rejectedBy: readonly string[] = [],
): VerifyProblem {
  return rejectedBy.length === 0
    ? { code, severity, message }
    : { code, severity, message, rejectedBy: [...rejectedBy] };
}

/** `message`, followed by the clients that refuse it, as the CLI prints a finding. */
export function describeFinding(problem: VerifyProblem): string {
  const clients = problem.rejectedBy === undefined ? '' : ` (rejected by ${problem.rejectedBy.join(', ')})`;
  return `${problem.code}: ${problem.message}${clients}`;
}
