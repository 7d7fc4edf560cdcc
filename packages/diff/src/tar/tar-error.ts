/**
 * Typed errors for malformed tar input: every one names the entry (when known) and its offset.
 */
import { LayerkitError, type LayerkitErrorCode } from '@layerkit/digest';
import type { BytePath } from '../contracts.js';
import { EMPTY_PATH, pathToUtf8, slicePath } from '../path.js';

/** Where in the archive a problem was found. */
export interface TarPosition {
  /** Byte offset of the entry's (first) header block in the uncompressed stream. */
  offset: number;
  /** The entry name as far as it is known (byte string), `''` before the name is parsed. */
  name: BytePath;
}

// Hostile names can be megabytes long; messages show the start, `details.name` keeps it all.
const MAX_SHOWN_NAME = 256;

/** The position of a header at `offset` whose entry name is not known yet. */
export function positionAt(offset: number): TarPosition {
  return { offset, name: EMPTY_PATH };
}

/** Builds `LayerkitError(code)` with a message like `tar entry "a/b" at offset 1536: <problem>`. */
export function tarError(code: LayerkitErrorCode, problem: string, at: TarPosition): LayerkitError {
  const shown =
    at.name.length > MAX_SHOWN_NAME
      ? `${pathToUtf8(slicePath(at.name, 0, MAX_SHOWN_NAME))}…`
      : pathToUtf8(at.name);
  const entry = at.name === '' ? 'tar header' : `tar entry ${JSON.stringify(shown)}`;
  return new LayerkitError(code, `${entry} at offset ${at.offset}: ${problem}`, {
    offset: at.offset,
    name: at.name,
  });
}
