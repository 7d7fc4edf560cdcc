/**
 * Real directories for the on-disk diff tests (run as root: mknod, setcap, overlay mounts).
 */
import { execFileSync } from 'node:child_process';
import type { Change, ChangeStream, LayerEntry, Tree, TreeEntry } from '@layerkit/diff';
import { dockerChange, formatDockerDiff, layerEntriesFromChanges } from '@layerkit/diff';

/** Runs a shell script in `cwd` (so raw-byte names can be made with printf). */
export function sh(cwd: string, script: string): string {
  return execFileSync('/bin/sh', ['-ec', script], { cwd, encoding: 'latin1' });
}

/** All changes of a stream, as `docker diff` lines. */
export async function dockerDiff(stream: ChangeStream | AsyncIterable<Change>): Promise<string> {
  const changes: Change[] = [];
  for await (const c of stream) changes.push(c);
  return formatDockerDiff(changes.map(dockerChange));
}

/** All layer entries of a change stream. */
export async function layerOf(stream: ChangeStream, opaque = false): Promise<LayerEntry[]> {
  const out: LayerEntry[] = [];
  for await (const e of layerEntriesFromChanges(stream, { opaque })) out.push(e);
  return out;
}

/** Wraps a tree so every `content()` call is counted. */
export function countingReads(tree: Tree): { tree: Tree; reads: string[] } {
  const reads: string[] = [];
  const wrap = (entry: TreeEntry): TreeEntry => {
    const content = entry.content;
    if (content === undefined) return entry;
    return {
      ...entry,
      content: () => {
        reads.push(entry.path);
        return content();
      },
    };
  };
  return {
    reads,
    tree: {
      async *entries() {
        for await (const entry of tree.entries()) yield wrap(entry);
      },
    },
  };
}

/**
 * A small root file system with every file type: setuid binary, absolute and relative symlinks,
 * a hardlink pair, a fifo, a char device, a socket and a non-UTF-8 name (`caf\xe9`).
 */
export function makeRootfs(dir: string): void {
  sh(
    dir,
    `mkdir -p bin etc usr/lib var/run usr/share/nginx/html
     printf ping > bin/ping; chmod 4755 bin/ping
     printf 'root:x:0:0' > etc/passwd
     printf lib > usr/lib/a; ln usr/lib/a usr/lib/b
     printf '<h1>Welcome</h1>' > usr/share/nginx/html/index.html
     ln -s /etc/passwd etc/abs; ln -s ../etc/passwd usr/rel
     mkfifo var/run/fifo; mknod var/run/null c 1 3
     python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("var/run/sock")'
     printf 'caf\\351' | xargs -0 sh -c 'printf bytes > "$0"; chown 1000:1000 "$0"'
     touch -d '2024-01-02 03:04:05' bin/ping etc/passwd usr/lib/a usr/share/nginx/html/index.html`,
  );
}
