/**
 * The read side of a layer tar as a source of layer entries: whiteouts and opaque markers
 * recognised, names normalized, each file's content streamed from the archive.
 */
import type { BytePath, LayerEntry, TarHeader, TarLimits, TreeEntry } from '../contracts.js';
import { classifyEntryName, localLinkTarget } from './entry-name.js';
import { readTar } from './read-tar.js';
import { entryTypeOf } from './typeflag.js';

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
    const name = classifyEntryName(header.name);
    if (name.kind === 'plain') yield { kind: 'entry', entry: treeEntryOf(name.path, header, body) };
    else if (name.kind === 'whiteout' || name.kind === 'opaque') yield name;
  }
}

function treeEntryOf(path: BytePath, header: TarHeader, body: AsyncIterable<Uint8Array>): TreeEntry {
  // readTar yields only typeflags that are entry types.
  const type = entryTypeOf(header.typeflag)!;
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
  else if (type === 'hardlink') entry.linkTarget = localLinkTarget(header.linkName, header.name);
  else if (type === 'char' || type === 'block') {
    entry.devMajor = header.devMajor;
    entry.devMinor = header.devMinor;
  }
  if (header.xattrs.size > 0) entry.xattrs = header.xattrs;
  return entry;
}
