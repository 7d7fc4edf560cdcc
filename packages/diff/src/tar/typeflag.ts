/**
 * Tar typeflags, as the one character `TarHeader.typeflag` holds, and the one mapping between
 * them and tree entry types: the reader, the writer and apply all use these.
 */
import type { EntryType } from '../contracts.js';

/** The entry types a tar can hold: every `EntryType` but `socket`. */
export type TarEntryType = Exclude<EntryType, 'socket'>;

/** The typeflag of each entry type; the reader reports every spelling of a file as `file`. */
export const TYPEFLAG = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
} as const satisfies Record<TarEntryType, string>;

/** Typeflags that are no entry type of their own: other spellings of one, and extended headers. */
export const HEADER_TYPEFLAG = {
  /** Pre-POSIX regular file (a directory when its name ends in `/`). */
  legacyFile: '\0',
  /** Contiguous file: a regular file to every reader that matters. */
  contiguous: '7',
  /** PAX extended header for the next entry. */
  paxLocal: 'x',
  /** PAX global header: applies to no single entry. */
  paxGlobal: 'g',
  /** GNU long name of the next entry. */
  gnuLongName: 'L',
  /** GNU long link target of the next entry. */
  gnuLongLink: 'K',
  /** GNU sparse file (old format): read as a file, expanded. */
  gnuSparse: 'S',
} as const;

const ENTRY_TYPE_OF: ReadonlyMap<string, TarEntryType> = new Map(
  Object.entries(TYPEFLAG).map(([type, typeflag]) => [typeflag, type as TarEntryType]),
);

/** The entry type `typeflag` denotes, or undefined for a typeflag that is none of {@link TYPEFLAG}. */
export function entryTypeOf(typeflag: string): TarEntryType | undefined {
  return ENTRY_TYPE_OF.get(typeflag);
}
