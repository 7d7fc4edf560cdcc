/**
 * A small fixed layer exercising every entry kind and every PAX trigger (used by several tests).
 */
import type { LayerEntry } from '@layerkit/diff';
import { pathFromBytes } from '@layerkit/diff';
import { entry, fileEntry, opaque, whiteout } from './tar-helpers.js';

/** A `security.capability` v2 value (cap_net_bind_service): binary, with NUL bytes. */
export const CAPABILITY = new Uint8Array([1, 0, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/** Long names: one that splits into USTAR prefix/name, one that needs PAX. */
export const SPLIT_NAME = `${'d'.repeat(120)}/${'f'.repeat(90)}`;
export const PAX_NAME = `${'d'.repeat(200)}/f`;

/** The fixture entries, in layer order (UTF-8 names only, so every tool lists them cleanly). */
export function fixtureEntries(): LayerEntry[] {
  return [
    entry('etc', 'dir'),
    whiteout('etc/old'),
    fileEntry('etc/hosts', 'hello\n'),
    entry('etc/hosts-link', 'symlink', { linkTarget: 'hosts', mode: 0o777 }),
    entry('etc/hosts-hard', 'hardlink', { linkTarget: 'etc/hosts' }),
    entry('etc/null', 'char', { devMajor: 1, devMinor: 3, mode: 0o666 }),
    entry('etc/loop0', 'block', { devMajor: 7, devMinor: 0, mode: 0o660, gid: 6 }),
    entry('etc/fifo', 'fifo', { mode: 0o600 }),
    opaque('var'),
    fileEntry('usr/bin/ping', 'x'.repeat(1000), {
      mode: 0o4755,
      uid: 2 ** 31,
      gid: 2 ** 31 + 1,
      xattrs: new Map([
        ['security.capability', CAPABILITY],
        ['user.note', new Uint8Array([0, 0xff, 0x3d, 0x0a, 0x20])],
      ]),
    }),
    fileEntry(SPLIT_NAME, 'split'),
    fileEntry(PAX_NAME, 'pax'),
    fileEntry('héllo/wörld', 'utf-8 name'),
    entry('long-link', 'symlink', { linkTarget: 't'.repeat(150), mode: 0o777 }),
    fileEntry('old-file', '', { mtimeNs: -1_500_000_000n }),
    entry('sticky', 'dir', { mode: 0o1777, uid: 65534, gid: 65534 }),
  ];
}

/** One entry whose name is not UTF-8 (bytes `n \xff \xfe`). */
export function nonUtf8Entry(): LayerEntry {
  return {
    kind: 'entry',
    entry: {
      path: pathFromBytes(new Uint8Array([0x6e, 0xff, 0xfe])),
      type: 'file',
      mode: 0o600,
      uid: 1,
      gid: 1,
      size: 0,
      mtimeNs: 0n,
    },
  };
}
