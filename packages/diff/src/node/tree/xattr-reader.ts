/**
 * Reads extended attributes of on-disk entries without following symlinks, via @napi-rs/xattr,
 * with a `getfattr` fallback for paths that are not valid UTF-8 (the addon takes UTF-8 strings).
 */
import { execFileSync } from 'node:child_process';
import { pathFromBytes, pathFromUtf8, pathToUtf8 } from '../../path.js';
import { loadXattrAddon, type XattrAddon } from '../xattr-addon.js';

/** Which xattrs a directory walk reads. */
export type XattrSelection = 'capability' | 'all' | 'none';

const CAPABILITY = 'security.capability';
const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Shell-quotes raw bytes as a `printf` format of octal escapes (any byte, newlines included). */
function printfOctal(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
}

/**
 * Lists attributes with `getfattr -h -d -e hex`, passing the path through `printf` so non-UTF-8
 * bytes reach the system call intact.
 */
function readWithGetfattr(path: Uint8Array, pattern: string): Map<string, Uint8Array> {
  const script =
    '{ printf "$2"; printf "\\0"; } | xargs -0 getfattr --absolute-names -h -d -e hex -m "$1" --';
  const output = execFileSync('/bin/sh', ['-c', script, 'sh', pattern, printfOctal(path)], {
    encoding: 'latin1',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const found = new Map<string, Uint8Array>();
  for (const line of output.split('\n')) {
    const match = /^([^#=][^=]*)=0x([0-9a-f]*)$/.exec(line);
    if (match !== null) found.set(pathFromUtf8(match[1]!), Buffer.from(match[2]!, 'hex'));
  }
  return found;
}

/** Reads xattrs per a {@link XattrSelection}; reports a missing addon once through `onWarning`. */
export class XattrReader {
  readonly #selection: XattrSelection;
  readonly #onWarning: (message: string) => void;
  #warned = false;

  constructor(selection: XattrSelection, onWarning: (message: string) => void) {
    this.#selection = selection;
    this.#onWarning = onWarning;
  }

  #load(): XattrAddon | undefined {
    const loaded = loadXattrAddon();
    if (!(loaded instanceof Error)) return loaded;
    if (!this.#warned) {
      this.#warned = true;
      this.#onWarning(`extended attributes are not read: @napi-rs/xattr failed to load (${loaded.message})`);
    }
    return undefined;
  }

  /**
   * The selected xattrs of the object at `path` (absolute: a path string, or raw bytes), or
   * undefined when none. `security.capability` is only looked for on regular files, the only
   * place it can live.
   */
  read(path: string | Uint8Array, isFile: boolean): Map<string, Uint8Array> | undefined {
    if (this.#selection === 'none' || (this.#selection === 'capability' && !isFile)) return undefined;
    const addon = this.#load();
    if (addon === undefined) return undefined;
    const found = this.#readSelected(addon, path);
    return found.size === 0 ? undefined : found;
  }

  #readSelected(addon: XattrAddon, path: string | Uint8Array): Map<string, Uint8Array> {
    if (typeof path !== 'string') {
      const text = decodeUtf8(path);
      return text === undefined ? this.#readNonUtf8(path) : this.#readSelected(addon, text);
    }
    const found = new Map<string, Uint8Array>();
    const names = this.#selection === 'all' ? addon.listAttributesSync(path) : [CAPABILITY];
    for (const name of names) {
      const value = addon.getAttributeSync(path, name);
      if (value !== null) found.set(pathFromUtf8(name), new Uint8Array(value));
    }
    return found;
  }

  /** The addon takes UTF-8 strings only: other paths go through `getfattr`. */
  #readNonUtf8(path: Uint8Array): Map<string, Uint8Array> {
    try {
      return readWithGetfattr(path, this.#selection === 'all' ? '-' : `^${CAPABILITY.replace('.', '\\.')}$`);
    } catch (error) {
      this.#onWarning(
        `xattrs of ${JSON.stringify(pathToUtf8(pathFromBytes(path)))} not read: ${(error as Error).message}`,
      );
      return new Map();
    }
  }
}
