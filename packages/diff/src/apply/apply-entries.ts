/**
 * The secure apply algorithm of docs/secure-apply.md, once, for every target: a directory on disk or
 * the in-memory merged view. Names are normalized and must stay local (T1, T2), parents are
 * resolved inside the root (T3, T5, T11), whiteouts hide only lower content (T12), an opaque
 * marker acts as if it came first, and a path is unlinked before it is recreated.
 * Threat ids (Tn) are those of docs/threat-model.md#apply.
 */
import { LayerkitError, type LayerkitErrorCode } from '@layerkit/digest';
import type { BytePath, TarEntry, TarHeader } from '../contracts.js';
import { baseName, EMPTY_PATH, joinPath, parentPath, pathToUtf8 } from '../path.js';
import { classifyEntryName, type EntryName, localLinkTarget } from '../tar/entry-name.js';
import { entryTypeOf, type TarEntryType } from '../tar/typeflag.js';
import {
  type ApplyRules,
  type ApplyTally,
  type ApplyTarget,
  DEVICE_NOT_PERMITTED,
  type OverlayMarkers,
  ROOT_ENTRY_SKIPPED,
  SPECIAL_FILES_OFF,
  type SpecialType,
} from './apply-types.js';
import { entryMeta } from './entry-meta.js';
import { InRootResolver } from './in-root-resolver.js';

// Devices and FIFOs: created only when the target may make special files.
function isSpecial(type: TarEntryType): type is SpecialType {
  return type === 'char' || type === 'block' || type === 'fifo';
}

function fail(code: LayerkitErrorCode, message: string, path: BytePath): never {
  throw new LayerkitError(code, `${message}: ${pathToUtf8(path)}`, { path });
}

/** Applies one layer's entries to `target`; everything the caller should know goes into `tally`. */
export async function applyEntries(
  target: ApplyTarget,
  entries: AsyncIterable<TarEntry>,
  rules: ApplyRules,
  tally: ApplyTally,
): Promise<void> {
  const applier = new LayerApplier(target, rules, tally);
  for await (const entry of entries) {
    tally.entries++;
    try {
      await applier.apply(entry);
    } catch (error) {
      throw asLayerkitError(error, entry.header.name);
    }
  }
  try {
    applier.finish();
  } catch (error) {
    throw asLayerkitError(error, EMPTY_PATH);
  }
}

/**
 * A failure the target reports (e.g. a name too long for the file system) becomes a typed
 * error naming the entry; typed errors pass unchanged.
 */
function asLayerkitError(error: unknown, path: BytePath): LayerkitError {
  if (error instanceof LayerkitError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const errno = error instanceof Error ? (error as { code?: string }).code : undefined;
  const where = path === '' ? 'finishing the layer' : pathToUtf8(path);
  return new LayerkitError('APPLY_FAILED', `${where}: ${reason}`, { path, errno }, { cause: error });
}

/** The state of one layer's apply: what it wrote, pending opaque markers, directory times. */
class LayerApplier {
  readonly #target: ApplyTarget;
  readonly #rules: ApplyRules;
  readonly #tally: ApplyTally;
  readonly #resolver: InRootResolver;
  /** Real paths this layer created: whiteouts never hide them (T12). */
  readonly #written = new Set<BytePath>();
  /** Every ancestor of a written path: a whiteout of one of these would hide this layer's work. */
  readonly #writtenAncestors = new Set<BytePath>();
  /** Real directories whose lower content an opaque marker hides, processed after the stream. */
  readonly #opaqueDirs: BytePath[] = [];
  /** Directory mtimes to set again once their children exist. */
  readonly #dirTimes = new Map<BytePath, bigint>();
  /** With `whiteouts: 'overlay'`: where deletions are recorded as markers instead of performed. */
  readonly #overlay: OverlayMarkers | undefined;
  /** Overlay whiteouts this layer made: a directory later put in their place must be opaque. */
  readonly #whiteouts = new Set<BytePath>();

  constructor(target: ApplyTarget, rules: ApplyRules, tally: ApplyTally) {
    this.#target = target;
    this.#rules = rules;
    this.#tally = tally;
    this.#resolver = new InRootResolver(target);
    if (rules.whiteouts === 'overlay') {
      if (target.overlay === undefined) {
        throw new LayerkitError(
          'INVALID_OPTION',
          "whiteouts: 'overlay' needs a target that can hold overlay markers",
        );
      }
      this.#overlay = target.overlay;
    }
  }

  async apply({ header, body }: TarEntry): Promise<void> {
    const name = classifyEntryName(header.name);
    switch (name.kind) {
      case 'root':
        this.#root(header);
        return;
      case 'aufs-metadata':
        this.#tally.skipped.push({ path: name.path, reason: 'AUFS metadata' });
        return;
      case 'opaque':
        this.#opaque(name);
        return;
      case 'whiteout':
        this.#whiteout(name);
        return;
      case 'plain':
        await this.#entry(name.path, header, body);
    }
  }

  finish(): void {
    for (const dir of this.#opaqueDirs) {
      if (this.#target.kind(dir) !== 'dir') continue;
      // In overlay form the layer stands alone: below it, only this layer's own whiteouts remain to hide.
      this.#hideLower(dir);
      this.#overlay?.markOpaque(dir);
    }
    for (const [dir, mtimeNs] of this.#dirTimes) {
      if (this.#target.kind(dir) === 'dir') this.#target.setDirTime(dir, mtimeNs);
    }
  }

  /**
   * T4: an entry naming the root is never applied to it; a directory's metadata is kept in the
   * tally for the caller that owns the root (`unpackImageLayers` sets it on the finished rootfs).
   */
  #root(header: TarHeader): void {
    this.#tally.skipped.push({ path: header.name, reason: ROOT_ENTRY_SKIPPED });
    if (entryTypeOf(header.typeflag) === 'dir') this.#tally.root = entryMeta(header, EMPTY_PATH, this.#tally);
  }

  #opaque(name: Extract<EntryName, { kind: 'opaque' }>): void {
    // T11: a marker whose directory is not a real directory after in-root resolution hides nothing.
    // In overlay form the directory may exist only below this layer: it is made here (implied).
    const dir = this.#resolver.resolveDir(name.path, this.#overlay !== undefined);
    if (dir !== undefined) this.#opaqueDirs.push(dir);
  }

  #whiteout(name: Extract<EntryName, { kind: 'whiteout' }>): void {
    const dir = this.#resolver.resolveDir(parentPath(name.path), this.#overlay !== undefined);
    if (dir === undefined) return;
    const path = joinPath(dir, baseName(name.path));
    if (this.#isWritten(path)) {
      this.#tally.skipped.push({ path: name.path, reason: 'whiteout of an entry of the same layer' });
      return;
    }
    this.#remove(path);
    if (this.#overlay !== undefined) {
      this.#overlay.makeWhiteout(path);
      this.#whiteouts.add(path);
    }
  }

  async #entry(archivePath: BytePath, header: TarHeader, body: AsyncIterable<Uint8Array>): Promise<void> {
    const type = entryTypeOf(header.typeflag);
    if (type === undefined) {
      fail(
        'APPLY_UNSUPPORTED_TYPE',
        `unsupported tar typeflag ${JSON.stringify(header.typeflag)}`,
        archivePath,
      );
    }
    if (isSpecial(type)) {
      this.#checkSpecial(archivePath, header, type);
      if (!this.#target.specialFiles) {
        this.#tally.skipped.push({ path: archivePath, reason: SPECIAL_FILES_OFF });
        return;
      }
    }
    const dir = this.#resolver.resolveDir(parentPath(archivePath), true)!;
    const path = joinPath(dir, baseName(archivePath));
    if (this.#written.has(path) && this.#rules.strict)
      fail('APPLY_DUPLICATE_ENTRY', 'the layer holds this path twice', archivePath);
    // Resolved before anything is removed, so a link can neither target itself nor a removed path.
    const linkSource = type === 'hardlink' ? this.#hardlinkSource(archivePath, header, path) : EMPTY_PATH;
    const meta = entryMeta(header, archivePath, this.#tally);
    const existing = this.#target.kind(path);
    const mergeDir = existing === 'dir' && type === 'dir';
    if (existing !== undefined && !mergeDir) this.#remove(path);
    switch (type) {
      case 'dir':
        this.#target.makeDir(path, meta, mergeDir);
        this.#dirTimes.set(path, meta.mtimeNs);
        // Deleted, then made again by this layer: in overlay form nothing below may show through.
        if (this.#whiteouts.delete(path)) this.#opaqueDirs.push(path);
        break;
      case 'file': // the reader reports `\0` and `7` as files too
        await this.#target.writeFile(path, meta, body);
        break;
      case 'symlink':
        this.#target.makeSymlink(path, header.linkName, meta);
        break;
      case 'hardlink':
        this.#target.makeHardlink(path, linkSource, meta);
        break;
      default:
        if (!this.#target.makeSpecial(path, type, header.devMajor, header.devMinor, meta)) {
          // Not written: a later whiteout of it has nothing to hide, and the snapshot never lists it.
          this.#tally.skipped.push({ path: archivePath, reason: DEVICE_NOT_PERMITTED });
          return;
        }
    }
    this.#markWritten(path);
  }

  /** T13: a 0:0 character device is an overlayfs whiteout, never a layer entry (the reader bounds the numbers). */
  #checkSpecial(archivePath: BytePath, header: TarHeader, type: SpecialType): void {
    if (type === 'char' && header.devMajor === 0 && header.devMinor === 0) {
      fail(
        'APPLY_WHITEOUT_DEVICE',
        'a 0:0 character device (an overlayfs whiteout) is not a layer entry',
        archivePath,
      );
    }
  }

  /** T7/T8: the link target is resolved inside the root now, must exist and must not be a directory. */
  #hardlinkSource(archivePath: BytePath, { name, linkName }: TarHeader, path: BytePath): BytePath {
    const target = localLinkTarget(linkName, name);
    if (target === '') fail('APPLY_HARDLINK_TARGET', 'hardlink to the root', archivePath);
    const dir = this.#resolver.resolveDir(parentPath(target), false);
    const source = dir === undefined ? undefined : joinPath(dir, baseName(target));
    const kind = source === undefined ? undefined : this.#target.kind(source);
    if (source === undefined || kind === undefined) {
      fail('APPLY_HARDLINK_TARGET', `hardlink target ${pathToUtf8(linkName)} does not exist`, archivePath);
    }
    if (kind === 'dir')
      fail('APPLY_HARDLINK_TARGET', `hardlink target ${pathToUtf8(linkName)} is a directory`, archivePath);
    if (source === path) fail('APPLY_HARDLINK_TARGET', 'hardlink to itself', archivePath);
    return source;
  }

  #isWritten(path: BytePath): boolean {
    return this.#written.has(path) || this.#writtenAncestors.has(path);
  }

  #markWritten(path: BytePath): void {
    this.#written.add(path);
    for (let dir = parentPath(path); dir !== '' && !this.#writtenAncestors.has(dir); dir = parentPath(dir)) {
      this.#writtenAncestors.add(dir);
    }
  }

  /** Removes whatever is at `path` without following it; cached resolutions may now be wrong. */
  #remove(path: BytePath): void {
    const kind = this.#target.kind(path);
    if (kind === undefined) return;
    this.#target.remove(path);
    if (kind === 'dir' || kind === 'symlink') this.#resolver.invalidate();
  }

  /** Removes everything below `dir` that this layer did not write (the opaque marker's meaning). */
  #hideLower(dir: BytePath): void {
    for (const name of this.#target.readdir(dir)) {
      const path = joinPath(dir, name);
      if (!this.#isWritten(path)) this.#target.remove(path);
      else if (this.#target.kind(path) === 'dir') this.#hideLower(path);
    }
  }
}
