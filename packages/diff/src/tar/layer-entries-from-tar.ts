/**
 * The read side of a layer tar as a source of layer entries: whiteouts and opaque markers
 * recognised, names normalized, each file's content streamed from the archive.
 */
import { LayerkitError } from '@layerkit/digest';
import type { BytePath, EntryType, LayerEntry, TarHeader, TarLimits, TreeEntry } from '../contracts.js';
import { pathToUtf8 } from '../path.js';
import { classifyWhiteout } from './classify-whiteout.js';
import { normalizeEntryName } from './normalize-entry-name.js';
import { readTar } from './read-tar.js';

const ENTRY_TYPE: Record<string, EntryType> = {
  '0': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};

/**
 * Turns a layer tar into `LayerEntry` items in archive order: `.wh.x` → `whiteout` of `x`,
 * `.wh..wh..opq` → `opaque`, everything else an `entry` whose `TreeEntry` is built from the
 * header (typeflag 1 → `type: 'hardlink'` with `linkTarget` = the normalized target path;
 * symlink targets verbatim). The root entry (`./`) and AUFS metadata are skipped.
 *
 * A file's `content()` streams its body straight from the archive, so it is readable only while
 * that entry is current (before the next item is requested), and only once; unread content is
 * skipped. Throws `TAR_PATH_ESCAPE` for names or hardlink targets that climb above the root,
 * `INVALID_WHITEOUT` for malformed whiteouts, and every `readTar` error.
 */
export async function* layerEntriesFromTar(
  source: AsyncIterable<Uint8Array>,
  limits?: TarLimits,
): AsyncGenerator<LayerEntry> {
  for await (const { header, body } of readTar(source, limits)) {
    const path = localPath(header.name, header);
    if (path === '') continue;
    const whiteout = classifyWhiteout(path);
    if (whiteout === null) yield { kind: 'entry', entry: treeEntryOf(path, header, body) };
    else if (whiteout.kind === 'whiteout') yield { kind: 'whiteout', path: whiteout.target };
    else if (whiteout.kind === 'opaque') yield { kind: 'opaque', path: whiteout.dir };
  }
}

function treeEntryOf(path: BytePath, header: TarHeader, body: AsyncIterable<Uint8Array>): TreeEntry {
  const type = ENTRY_TYPE[header.typeflag]!;
  const entry: TreeEntry = {
    path,
    type,
    mode: header.mode,
    uid: header.uid,
    gid: header.gid,
    size: header.size,
    mtimeNs: header.mtimeNs,
  };
  if (type === 'file') entry.content = () => body;
  else if (type === 'symlink') entry.linkTarget = header.linkName;
  else if (type === 'hardlink') entry.linkTarget = localPath(header.linkName, header);
  else if (type === 'char' || type === 'block') {
    entry.devMajor = header.devMajor;
    entry.devMinor = header.devMinor;
  }
  if (header.xattrs.size > 0) entry.xattrs = header.xattrs;
  return entry;
}

function localPath(name: BytePath, header: TarHeader): BytePath {
  const path = normalizeEntryName(name);
  if (path === null) {
    throw new LayerkitError(
      'TAR_PATH_ESCAPE',
      `tar entry ${JSON.stringify(pathToUtf8(header.name))}: ${JSON.stringify(pathToUtf8(name))} leaves the root`,
      { name: header.name },
    );
  }
  return path;
}
