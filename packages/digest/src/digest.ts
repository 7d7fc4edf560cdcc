/**
 * Digest grammar (OCI descriptor.md, go-digest): the one gate every digest string passes
 * before it is trusted, compared or turned into a path (R1, docs/threat-model.md#r1).
 */
import type { Digest } from './contracts.js';
import { LayerkitError } from './errors.js';

/** `algorithm ":" encoded`. Neither `/` nor `.` can occur in `encoded`, so a valid digest is path-safe. */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** The exact encoded form of each registered algorithm; unregistered ones only need the grammar. */
const REGISTERED_ENCODINGS: ReadonlyMap<string, RegExp> = new Map([
  ['sha256', /^[a-f0-9]{64}$/],
  ['sha512', /^[a-f0-9]{128}$/],
  ['blake3', /^[a-f0-9]{64}$/],
]);

/** Longest input quoted in an error message: hostile strings can be megabytes long. */
const MESSAGE_INPUT_LIMIT = 100;

/** The sha256 DiffID of an empty tar (1024 NUL bytes), as moby's `DigestSHA256EmptyTar`. */
export const EMPTY_TAR_DIFF_ID =
  'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef' as Digest;

/** Quotes an untrusted value for an error message, truncated to a readable length. */
export function quoteForMessage(value: string): string {
  const shown = value.length > MESSAGE_INPUT_LIMIT ? `${value.slice(0, MESSAGE_INPUT_LIMIT)}…` : value;
  return JSON.stringify(shown);
}

/** Why `value` is not a valid digest, or `undefined` when it is one. */
function digestProblem(value: string): string | undefined {
  if (!DIGEST_GRAMMAR.test(value)) return 'does not match algorithm:encoded';
  const colon = value.indexOf(':');
  const encoding = REGISTERED_ENCODINGS.get(value.slice(0, colon));
  if (encoding !== undefined && !encoding.test(value.slice(colon + 1))) {
    return `is not a valid ${value.slice(0, colon)} digest (wrong length or not lowercase hex)`;
  }
  return undefined;
}

/** True when `value` is a string in the OCI digest grammar (and, for registered algorithms, their exact form). */
export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && digestProblem(value) === undefined;
}

/**
 * Validates an untrusted string as a digest.
 * @throws LayerkitError `INVALID_DIGEST` naming the (truncated) input.
 */
export function parseDigest(s: string): Digest {
  const problem = typeof s === 'string' ? digestProblem(s) : 'is not a string';
  if (problem !== undefined) {
    throw new LayerkitError('INVALID_DIGEST', `invalid digest ${quoteForMessage(String(s))}: ${problem}`, {
      digest: String(s).slice(0, MESSAGE_INPUT_LIMIT),
    });
  }
  return s as Digest;
}

/** The algorithm part of a digest (`sha256` for `sha256:…`). */
export function digestAlgorithm(digest: Digest): string {
  return digest.slice(0, digest.indexOf(':'));
}

/** The encoded part of a digest (the 64 hex characters of a sha256 digest). */
export function digestHex(digest: Digest): string {
  return digest.slice(digest.indexOf(':') + 1);
}
