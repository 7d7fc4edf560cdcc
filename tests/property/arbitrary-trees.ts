/**
 * fast-check generators of tree pairs for the diff properties: files, dirs, symlinks, fifos,
 * devices, hardlinks, setuid/setgid/sticky modes, large ids, capabilities, long, non-ASCII and
 * non-UTF-8 names, deep paths, type changes, and mtimes that exercise second truncation.
 */
import type { BytePath, TreeEntry } from '@layerkit/diff';
import { bytesContent, MemoryTree, pathFromUtf8 } from '@layerkit/diff';
import fc from 'fast-check';
import { asBytePath, EMPTY_PATH, joinPath } from '../../packages/diff/src/path.js';

/** File-object facts shared by all hardlinks of one inode. */
interface InodeSpec {
  content: string;
  mode: number;
  uid: number;
  gid: number;
  mtimeNs: bigint;
  capability: string | undefined;
}

type Node =
  | { kind: 'file'; inode: number; linked: boolean }
  | { kind: 'symlink'; target: string; mtimeNs: bigint }
  | { kind: 'fifo'; mode: number }
  | { kind: 'char'; major: number; minor: number }
  | { kind: 'dir'; mode: number; uid: number; children: Record<string, Node> };

/** Names chosen to collide between trees and to stress the order and the encodings. */
export const NAMES: readonly BytePath[] = [
  ...['a', 'a.b', 'a-b'].map(pathFromUtf8),
  pathFromUtf8('é'),
  asBytePath('\xff\xfe'),
  pathFromUtf8('n'.repeat(110)),
];

const CONTENTS = ['', 'a', 'b', 'hello', 'world', 'z'.repeat(3000)];
const mtimeArb = fc
  .tuple(fc.constantFrom(1_700_000_000n, 1_700_000_001n), fc.constantFrom(0n, 5n, 999_999_999n))
  .map(([s, ns]) => s * 1_000_000_000n + ns);

const inodeArb: fc.Arbitrary<InodeSpec> = fc.record({
  content: fc.constantFrom(...CONTENTS),
  mode: fc.constantFrom(0o644, 0o600, 0o4755, 0o2755, 0o1777),
  uid: fc.constantFrom(0, 1000, 300_000),
  gid: fc.constantFrom(0, 1000),
  mtimeNs: mtimeArb,
  capability: fc.constantFrom(undefined, 'cap-a', 'cap-b'),
});

const leafArb: fc.Arbitrary<Node> = fc.oneof(
  fc.record({ kind: fc.constant('file' as const), inode: fc.nat(3), linked: fc.boolean() }),
  fc.record({ kind: fc.constant('file' as const), inode: fc.nat(3), linked: fc.boolean() }),
  fc.record({
    kind: fc.constant('symlink' as const),
    target: fc.constantFrom('a', '/etc/x', '../é'),
    mtimeNs: mtimeArb,
  }),
  fc.record({ kind: fc.constant('fifo' as const), mode: fc.constantFrom(0o644, 0o600) }),
  fc.record({
    kind: fc.constant('char' as const),
    major: fc.constantFrom(1, 5),
    minor: fc.constantFrom(3, 1),
  }),
);

const { dir: dirArb } = fc.letrec<{ node: Node; dir: Node & { kind: 'dir' } }>((tie) => ({
  node: fc.oneof({ maxDepth: 4, depthIdentifier: 'tree' }, leafArb, tie('dir')),
  dir: fc.record({
    kind: fc.constant('dir' as const),
    mode: fc.constantFrom(0o755, 0o700, 0o1777),
    uid: fc.constantFrom(0, 1000),
    children: fc.dictionary(fc.constantFrom(...NAMES), tie('node'), { maxKeys: 4 }),
  }),
}));

/** A random root's children. */
const rootArb = dirArb.map((d) => d.children);

/** A deterministic mutation of a tree: each path keeps, drops, or swaps its node per `choices`. */
function mutate(children: Record<string, Node>, choices: number[], fresh: Node[]): Record<string, Node> {
  const out: Record<string, Node> = {};
  let next = 0;
  const pick = () => choices[next++ % choices.length] ?? 0;
  const visit = (from: Record<string, Node>, to: Record<string, Node>) => {
    for (const [name, node] of Object.entries(from)) {
      const choice = pick();
      if (choice === 1) continue;
      if (choice === 2) to[name] = fresh[next % fresh.length] ?? node;
      else if (choice === 3 && node.kind === 'dir') to[name] = { ...node, mode: node.mode ^ 0o022 };
      else if (choice === 4 && node.kind === 'file') to[name] = { ...node, inode: (node.inode + 1) % 4 };
      else if (node.kind === 'dir') {
        const sub: Record<string, Node> = {};
        visit(node.children, sub);
        to[name] = { ...node, children: sub };
      } else to[name] = node;
    }
    if (pick() === 5) to[NAMES[next % NAMES.length]!] ??= fresh[0] ?? { kind: 'fifo', mode: 0o644 };
  };
  visit(children, out);
  return out;
}

function entriesOf(children: Record<string, Node>, pool: InodeSpec[]): TreeEntry[] {
  const out: TreeEntry[] = [];
  const linkedCount = new Map<number, number>();
  const count = (nodes: Record<string, Node>) => {
    for (const node of Object.values(nodes)) {
      if (node.kind === 'file' && node.linked)
        linkedCount.set(node.inode, (linkedCount.get(node.inode) ?? 0) + 1);
      if (node.kind === 'dir') count(node.children);
    }
  };
  count(children);
  const walk = (nodes: Record<string, Node>, dir: BytePath) => {
    for (const [name, node] of Object.entries(nodes)) {
      const path = joinPath(dir, asBytePath(name)); // the keys are NAMES
      const base = { path, uid: 0, gid: 0, size: 0, mtimeNs: 1_600_000_000_000_000_000n };
      if (node.kind === 'file') {
        const inode = pool[node.inode]!;
        const bytes = new TextEncoder().encode(inode.content);
        const { mode, uid, gid, mtimeNs } = inode;
        const entry: TreeEntry = { path, type: 'file', mode, uid, gid, mtimeNs, size: bytes.length };
        entry.content = bytesContent(bytes);
        if (inode.capability !== undefined) {
          entry.xattrs = new Map([['security.capability', new TextEncoder().encode(inode.capability)]]);
        }
        if (node.linked && (linkedCount.get(node.inode) ?? 0) > 1) entry.linkKey = `inode-${node.inode}`;
        out.push(entry);
      } else if (node.kind === 'symlink') {
        out.push({
          ...base,
          type: 'symlink',
          mode: 0o777,
          mtimeNs: node.mtimeNs,
          linkTarget: pathFromUtf8(node.target),
        });
      } else if (node.kind === 'fifo') {
        out.push({ ...base, type: 'fifo', mode: node.mode });
      } else if (node.kind === 'char') {
        out.push({ ...base, type: 'char', mode: 0o666, devMajor: node.major, devMinor: node.minor });
      } else {
        out.push({ ...base, type: 'dir', mode: node.mode, uid: node.uid });
        walk(node.children, path);
      }
    }
  };
  walk(children, EMPTY_PATH);
  return out;
}

/** True when some path is a file on both sides with equal size and mtime but other content: no rule can see that. */
function undetectable(lower: MemoryTree, upper: MemoryTree): boolean {
  return upper.list().some((u) => {
    const l = lower.get(u.path);
    if (l?.type !== 'file' || u.type !== 'file' || l.size !== u.size || l.mtimeNs !== u.mtimeNs) return false;
    const read = (e: TreeEntry) => Buffer.concat([...(e.content!() as Iterable<Uint8Array>)]).toString('hex');
    return read(l) !== read(u);
  });
}

/** A pair of trees: independent, or the second a mutation of the first (with a partly changed inode pool). */
export const treePairArb: fc.Arbitrary<{ lower: MemoryTree; upper: MemoryTree }> = fc
  .record({
    lowerRoot: rootArb,
    upperRoot: rootArb,
    independent: fc.boolean(),
    choices: fc.array(fc.nat(9), { minLength: 1, maxLength: 30 }),
    fresh: fc.array(leafArb, { minLength: 1, maxLength: 3 }),
    lowerPool: fc.array(inodeArb, { minLength: 4, maxLength: 4 }),
    poolChanges: fc.array(fc.option(inodeArb, { freq: 2 }), { minLength: 4, maxLength: 4 }),
  })
  .map(({ lowerRoot, upperRoot, independent, choices, fresh, lowerPool, poolChanges }) => {
    const upperPool = lowerPool.map((inode, i) => poolChanges[i] ?? inode);
    const upperChildren = independent ? upperRoot : mutate(lowerRoot, choices, fresh);
    const lower = MemoryTree.fromEntries(entriesOf(lowerRoot, lowerPool));
    const upper = MemoryTree.fromEntries(entriesOf(upperChildren, upperPool));
    // A counterexample prints its entries (a MemoryTree alone prints as `{}`).
    return {
      lower,
      upper,
      [fc.toStringMethod]: () => fc.stringify({ lower: lower.list(), upper: upper.list() }),
    };
  })
  .filter(({ lower, upper }) => !undetectable(lower, upper));
