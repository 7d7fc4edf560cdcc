/** Compression levels: one validated range and default per format, shared by every runtime. */
import type { CompressionName } from './contracts.js';
import { LayerkitError } from './errors.js';

/** The levels a format accepts, and the one used when none is given. */
export interface LevelRange {
  /** The fastest level. */
  readonly min: number;
  /** The smallest-output level. */
  readonly max: number;
  /** The level used when a caller gives none (gzip 6, zstd 3: see the package README for the measurements). */
  readonly default: number;
}

const LEVELS: Readonly<Record<Exclude<CompressionName, 'none'>, LevelRange>> = {
  gzip: { min: 1, max: 9, default: 6 },
  zstd: { min: 1, max: 19, default: 3 },
};

/** The level range of `format` (gzip 1–9, default 6; zstd 1–19, default 3), e.g. for a command line's checks. */
export function levelRange(format: Exclude<CompressionName, 'none'>): LevelRange {
  return LEVELS[format];
}

/**
 * The level to compress with: `level` when it is valid for `format`, else the format's default.
 * @throws LayerkitError `INVALID_COMPRESSION_LEVEL` for a non-integer or out-of-range level.
 */
export function resolveLevel(format: Exclude<CompressionName, 'none'>, level: number | undefined): number {
  const range = LEVELS[format];
  if (level === undefined) return range.default;
  if (!Number.isInteger(level) || level < range.min || level > range.max) {
    throw new LayerkitError(
      'INVALID_COMPRESSION_LEVEL',
      `${format} level must be an integer from ${range.min} to ${range.max}, got ${level}`,
      { format, level },
    );
  }
  return level;
}
