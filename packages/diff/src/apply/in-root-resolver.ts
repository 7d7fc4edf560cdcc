/**
 * Resolves archive directories to real directories *inside* the root, the way openat2's
 * `RESOLVE_IN_ROOT` (or a chroot) would: symlinks are followed component by component, an
 * absolute target starts again at the root, and `..` stops at the root (T3, T5, T11 of
 * docs/threat-model.md).
 */
import { LayerkitError } from '@layerkit/digest';
import type { BytePath } from '../contracts.js';
import {
  baseName,
  EMPTY_PATH,
  joinComponents,
  joinPath,
  parentPath,
  pathComponents,
  pathToUtf8,
} from '../path.js';
import type { ApplyTarget } from './apply-types.js';

/** Linux's own limit on symlinks followed in one lookup is 40; docs/secure-apply.md allows 255. */
const MAX_LINKS = 255;

/**
 * Resolves directories of one layer's entries, caching each archive directory's real path. The
 * cache can only go stale when a directory or symlink is removed, so the applier calls
 * `invalidate()` then (T5: no "known dir" cache without re-validation).
 */
export class InRootResolver {
  readonly #target: Pick<ApplyTarget, 'kind' | 'readlink' | 'mkdirImplied'>;
  readonly #cache = new Map<BytePath, BytePath>();

  constructor(target: Pick<ApplyTarget, 'kind' | 'readlink' | 'mkdirImplied'>) {
    this.#target = target;
  }

  /** Forgets every cached resolution. */
  invalidate(): void {
    this.#cache.clear();
  }

  /**
   * The real path of directory `dir` (a normalized archive path; `''` is the root). With `create`,
   * missing directories are made (0755) and a non-directory component is an error; without it,
   * `undefined` means "not a directory here".
   */
  resolveDir(dir: BytePath, create: boolean): BytePath | undefined {
    if (dir === '') return EMPTY_PATH;
    const cached = this.#cache.get(dir);
    if (cached !== undefined) return cached;
    const parent = this.resolveDir(parentPath(dir), create);
    if (parent === undefined) return undefined;
    const real = this.#follow(parent, baseName(dir), create, dir);
    if (real !== undefined) this.#cache.set(dir, real);
    return real;
  }

  /** Walks `name` below the real directory `base`, following symlinks inside the root. */
  #follow(base: BytePath, name: BytePath, create: boolean, dir: BytePath): BytePath | undefined {
    const resolved = base === '' ? [] : pathComponents(base);
    const pending = [name];
    let links = 0;
    for (let component = pending.pop(); component !== undefined; component = pending.pop()) {
      if (component === '' || component === '.') continue;
      if (component === '..') {
        resolved.pop();
        continue;
      }
      const candidate = joinPath(joinComponents(resolved), component);
      const kind = this.#target.kind(candidate);
      if (kind === 'dir') {
        resolved.push(component);
      } else if (kind === 'symlink') {
        if (++links > MAX_LINKS) {
          throw new LayerkitError(
            'APPLY_TOO_MANY_LINKS',
            `more than ${MAX_LINKS} symlinks resolving ${pathToUtf8(dir)}`,
            {
              path: dir,
            },
          );
        }
        const target = this.#target.readlink(candidate);
        if (target.startsWith('/')) resolved.length = 0;
        // The target's components replace this one; pushed in reverse so they pop in order.
        pending.push(...pathComponents(target).reverse());
      } else if (!create) {
        return undefined;
      } else if (kind === undefined) {
        this.#target.mkdirImplied(candidate);
        resolved.push(component);
      } else {
        throw new LayerkitError(
          'APPLY_NOT_A_DIRECTORY',
          `${pathToUtf8(dir)}: ${pathToUtf8(candidate)} is a ${kind}, not a directory`,
          { path: dir, component: candidate },
        );
      }
    }
    return joinComponents(resolved);
  }
}
