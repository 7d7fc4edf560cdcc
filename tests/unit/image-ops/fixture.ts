/**
 * Shared fixtures of the image-operation tests: temp dirs, root filesystems with fixed
 * contents, modes, owners and times, a base image built from one, and readers for what an
 * operation left in a layout (index, manifest, config, blobs, temp files).
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Digest } from '@layerkit/digest';
import type { ImageConfig, ImageIndex, ImageManifest } from '@layerkit/image';
import { importRootfs } from '@layerkit/image/node';
import { afterEach, beforeEach } from 'vitest';
import { bytesOf } from '../../fixtures/deterministic-bytes.js';

/** A fresh temp directory, removed by `dispose`. */
export function scratch(): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'layerkit-ops-'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** SOURCE_DATE_EPOCH of every fixture step: 2024-06-01T00:00:00Z. */
export const EPOCH = 1_717_200_000;
/** The RFC 3339 form of {@link EPOCH}, as the configs carry it. */
export const EPOCH_TEXT = '2024-06-01T00:00:00Z';
/** A fixed mtime for fixture files, well before {@link EPOCH}. */
export const MTIME = 1_700_000_000;

/** The platform fixture images are built for (fixed, so digests do not depend on the host). */
export const PLATFORM = { architecture: 'amd64', os: 'linux' } as const;

/** One node of a fixture tree; times default to {@link MTIME}, owners to root. */
export type Node =
  | { type: 'file'; content: string | Uint8Array; mode?: number; uid?: number; gid?: number; mtime?: number }
  | { type: 'dir'; mode?: number; uid?: number; gid?: number; mtime?: number }
  | { type: 'symlink'; target: string; uid?: number; gid?: number; mtime?: number };

/** Deterministic fixture bytes, shared with the other suites. */
export { bytesOf };

/** The base tree of most tests: files, dirs and a symlink with varied modes and owners. */
export const BASE_TREE: Readonly<Record<string, Node>> = {
  bin: { type: 'dir', mode: 0o755 },
  'bin/tool': { type: 'file', content: bytesOf(1, 6000), mode: 0o755 },
  etc: { type: 'dir', mode: 0o755 },
  'etc/app.conf': { type: 'file', content: 'port=80\n', mode: 0o640, uid: 1000, gid: 1000 },
  'etc/os-release': { type: 'file', content: 'ID=layerkit\nVERSION_ID=1\n', mode: 0o644 },
  link: { type: 'symlink', target: 'etc/os-release' },
  srv: { type: 'dir', mode: 0o755 },
  'srv/data': { type: 'dir', mode: 0o750, uid: 33, gid: 33 },
  'srv/data/old.txt': { type: 'file', content: 'old\n', mode: 0o600, uid: 33, gid: 33 },
  'srv/data/keep.txt': { type: 'file', content: 'keep\n', mode: 0o644, uid: 33, gid: 33 },
};

/**
 * Writes `tree` under `root` (created if needed) and then fixes every time, deepest first so
 * that creating children does not move a directory's mtime afterwards.
 */
export function writeTree(root: string, tree: Readonly<Record<string, Node>>): void {
  mkdirSync(root, { recursive: true });
  const paths = Object.keys(tree).sort();
  for (const path of paths) {
    const node = tree[path]!;
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    if (node.type === 'dir') {
      mkdirSync(full, { recursive: true });
      chmodSync(full, node.mode ?? 0o755);
      chownSync(full, node.uid ?? 0, node.gid ?? 0);
    } else if (node.type === 'file') {
      rmSync(full, { force: true });
      writeFileSync(full, node.content);
      chmodSync(full, node.mode ?? 0o644);
      chownSync(full, node.uid ?? 0, node.gid ?? 0);
    } else {
      rmSync(full, { force: true });
      symlinkSync(node.target, full);
      lchownSync(full, node.uid ?? 0, node.gid ?? 0);
    }
  }
  for (const path of paths.reverse()) {
    const mtime = tree[path]!.mtime ?? MTIME;
    const full = join(root, path);
    if (tree[path]!.type === 'symlink') lutimesSync(full, mtime, mtime);
    else utimesSync(full, mtime, mtime);
  }
}

/** Sets `MTIME` on every directory of `root` (after edits moved them), deepest first. */
export function resetDirectoryTimes(root: string): void {
  const dirs: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (lstatSync(full).isDirectory()) {
        walk(full);
        dirs.push(full);
      }
    }
  };
  walk(root);
  for (const dir of dirs) utimesSync(dir, MTIME, MTIME);
}

/**
 * The edits of the standard commit: a changed file, a deleted file, an added file whose mtime
 * lies after the epoch (so it is clamped), and a new directory chain.
 */
export function editTree(root: string): void {
  writeFileSync(join(root, 'etc/app.conf'), 'port=8080\n');
  rmSync(join(root, 'srv/data/old.txt'));
  writeTree(root, {
    'srv/data/new.txt': { type: 'file', content: 'new\n', uid: 33, gid: 33, mtime: EPOCH + 86_400 },
    'usr/local/bin/hello': { type: 'file', content: '#!/bin/sh\necho hello\n', mode: 0o755 },
  });
  utimesSync(join(root, 'etc/app.conf'), MTIME + 60, MTIME + 60);
  resetDirectoryTimes(root);
}

/** A rootfs `<dir>/rootfs` holding {@link BASE_TREE} with the edits of {@link editTree}. */
export function editedRootfs(dir: string): string {
  const rootfs = join(dir, 'rootfs');
  writeTree(rootfs, BASE_TREE);
  editTree(rootfs);
  return rootfs;
}

/** The `docker diff` lines of {@link editTree} against {@link BASE_TREE}. */
export const EDIT_LINES = [
  'C /etc',
  'C /etc/app.conf',
  'C /srv',
  'C /srv/data',
  'A /srv/data/new.txt',
  'D /srv/data/old.txt',
  'A /usr',
  'A /usr/local',
  'A /usr/local/bin',
  'A /usr/local/bin/hello',
];

/** Builds the base image from {@link BASE_TREE} into `oci:<layout>:<tag>` (one layer, fixed times). */
export async function buildBase(
  work: string,
  layout: string,
  tag = 'base',
  changes = ['CMD ["/bin/tool", "serve"]'],
) {
  const rootfs = join(work, `base-rootfs-${tag}`);
  writeTree(rootfs, BASE_TREE);
  const result = await importRootfs({
    rootfs,
    dest: `oci:${layout}:${tag}`,
    platform: PLATFORM,
    sourceDateEpoch: EPOCH,
    createdBy: 'ADD rootfs.tar /',
    changes,
  });
  rmSync(rootfs, { recursive: true, force: true });
  return result;
}

/** The sha256 digest of `bytes`, computed here with node:crypto (an independent hash). */
export function sha256Of(bytes: Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
}

/** The path of a blob in a layout. */
export function blobPath(layout: string, digest: string): string {
  return join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

/** Reads a blob and checks it hashes to its name. */
export function readBlob(layout: string, digest: string): Buffer {
  const bytes = readFileSync(blobPath(layout, digest));
  if (sha256Of(bytes) !== digest) throw new Error(`blob ${digest} does not hash to its name`);
  return bytes;
}

/** Parses a JSON blob of a layout. */
export function readJsonBlob<T>(layout: string, digest: string): T {
  return JSON.parse(readBlob(layout, digest).toString('utf8')) as T;
}

/** The layout's index.json, parsed. */
export function readIndex(layout: string): ImageIndex {
  return JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as ImageIndex;
}

/** The manifest and config a tag of the layout points at. */
export function readTagged(
  layout: string,
  tag: string,
): { manifestDigest: Digest; manifest: ImageManifest; config: ImageConfig } {
  const descriptor = readIndex(layout).manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag,
  );
  if (descriptor === undefined) throw new Error(`no tag ${tag} in ${layout}`);
  const manifest = readJsonBlob<ImageManifest>(layout, descriptor.digest);
  return {
    manifestDigest: descriptor.digest,
    manifest,
    config: readJsonBlob<ImageConfig>(layout, manifest.config.digest),
  };
}

/** Every file name below `dir` containing `.tmp-` or `.unpack-` (what a failed step must not leave). */
export function tempFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = join(at, name);
      if (name.includes('.tmp-') || name.includes('.unpack-')) found.push(full);
      if (lstatSync(full).isDirectory()) walk(full);
    }
  };
  walk(dir);
  return found;
}

/** Flips one byte of the file at `offset` (size and every other byte unchanged). */
export function flipByte(file: string, offset: number): void {
  const bytes = readFileSync(file);
  bytes[offset] = bytes[offset]! ^ 0xff;
  writeFileSync(file, bytes);
}

/**
 * What a tree holds, for comparing two trees on disk: per path its type, permission bits,
 * owner, size, content digest or link target, and mtime in seconds (directories: no times or
 * sizes, which the diff rules ignore too).
 */
export function treeFacts(root: string): Record<string, string> {
  const facts: Record<string, string> = {};
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const path = `${prefix}${name}`;
      const st = lstatSync(full);
      const owner = `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
      if (st.isDirectory()) {
        facts[path] = `dir ${owner}`;
        walk(full, `${path}/`);
      } else if (st.isSymbolicLink()) {
        facts[path] =
          `symlink ${st.uid}:${st.gid} -> ${readlinkSync(full)} @${Math.floor(st.mtimeMs / 1000)}`;
      } else {
        facts[path] =
          `file ${owner} ${st.size} ${sha256Of(readFileSync(full))} @${Math.floor(st.mtimeMs / 1000)}`;
      }
    }
  };
  walk(root, '');
  return facts;
}

/** Stores `value` as a JSON blob of the layout; returns its descriptor fields. */
function putJson(layout: string, value: unknown): { digest: Digest; size: number } {
  const bytes = Buffer.from(JSON.stringify(value));
  const digest = sha256Of(bytes);
  writeFileSync(blobPath(layout, digest), bytes);
  return { digest, size: bytes.length };
}

/**
 * Rewrites the image `tag` points at, the way another tool could have written it: `edit`
 * changes the parsed config and manifest, the new blobs are stored and the tag moves to them.
 */
export function rewriteImage(
  layout: string,
  tag: string,
  edit: (image: { manifest: ImageManifest; config: ImageConfig }) => void,
): Digest {
  const { manifest, config } = readTagged(layout, tag);
  edit({ manifest, config });
  const configRef = putJson(layout, config);
  manifest.config = { ...manifest.config, ...configRef };
  const manifestRef = putJson(layout, manifest);
  const index = readIndex(layout);
  const descriptor = index.manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag,
  )!;
  Object.assign(descriptor, manifestRef);
  if (manifest.mediaType !== undefined) descriptor.mediaType = manifest.mediaType;
  writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
  return manifestRef.digest;
}

/** What {@link useBaseLayout} gives each test. */
export interface BaseLayoutContext {
  /** The test's temp directory. */
  dir: string;
  /** The OCI layout holding the base image under the tag `base`. */
  layout: string;
  /** `oci:<layout>:base`. */
  base: string;
}

/** Registers hooks giving every test of the file a fresh temp dir with the base image built. */
export function useBaseLayout(): BaseLayoutContext {
  const context: BaseLayoutContext = { dir: '', layout: '', base: '' };
  let dispose = () => {};
  beforeEach(async () => {
    const tmp = scratch();
    dispose = tmp.dispose;
    context.dir = tmp.dir;
    context.layout = join(tmp.dir, 'layout');
    context.base = `oci:${context.layout}:base`;
    await buildBase(tmp.dir, context.layout);
  });
  afterEach(() => dispose());
  return context;
}
