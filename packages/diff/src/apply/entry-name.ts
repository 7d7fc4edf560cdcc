/**
 * What a tar entry's name means to an applier: the root (skipped, T4), AUFS metadata (skipped,
 * T26), an opaque marker, a whiteout (validated, T10) or an ordinary entry. Escaping names are
 * rejected (T1, T2). Threat ids are those of docs/threat-model.md.
 */
import { LayerkitError } from '@layerkit/digest';
import type { BytePath } from '../contracts.js';
import { pathToUtf8 } from '../path.js';
import { classifyWhiteout } from '../tar/classify-whiteout.js';
import { normalizeEntryName } from '../tar/normalize-entry-name.js';

/** The meaning of one entry name. Paths are normalized archive paths. */
export type EntryName =
  | { kind: 'root' }
  | { kind: 'aufs'; path: BytePath }
  | { kind: 'opaque'; dir: BytePath }
  | { kind: 'whiteout'; path: BytePath }
  | { kind: 'entry'; path: BytePath };

/** Normalizes an entry or link name; a name that climbs above the root is an error naming it. */
export function localEntryName(raw: BytePath): BytePath {
  const path = normalizeEntryName(raw);
  if (path === null) {
    throw new LayerkitError(
      'APPLY_PATH_ESCAPE',
      `tar name leaves the root: ${JSON.stringify(pathToUtf8(raw))}`,
      {
        path: raw,
      },
    );
  }
  return path;
}

/** Classifies a raw entry name; throws `LayerkitError` for escaping names and malformed whiteouts. */
export function parseEntryName(raw: BytePath): EntryName {
  const path = localEntryName(raw);
  if (path === '') return { kind: 'root' };
  const whiteout = classifyWhiteout(path);
  if (whiteout === null) return { kind: 'entry', path };
  switch (whiteout.kind) {
    case 'aufs-metadata':
      return { kind: 'aufs', path };
    case 'opaque':
      return whiteout;
    case 'whiteout':
      return { kind: 'whiteout', path: whiteout.target };
  }
}
