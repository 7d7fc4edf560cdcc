import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Paths outside their temp dir that a daemon creates whatever its configuration says
 * (containerd 1.6 and dockerd 20.10 hard-code them). Recorded before the daemon starts.
 */
export interface HostResidue {
  /** Removes the harness's residue unless a daemon that may still use it runs. */
  remove(): void;
}

/** Whether a live (non-zombie) process named like one of `names` runs; names compare as the kernel's 15-byte comm. */
function anyRunning(names: readonly string[]): boolean {
  const comms = new Set(names.map((name) => name.slice(0, 15)));
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .some((pid) => {
      try {
        // "PID (COMM) STATE …": COMM may itself contain parentheses, so split at the last ')'
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        return state !== 'Z' && comms.has(comm);
      } catch {
        return false;
      }
    });
}

/**
 * One marker per host path a harness daemon created, shared by concurrent test processes: a
 * second test file that starts its daemon after the first one created the path must still
 * count it as harness residue, not as the machine's own state.
 */
const MARKERS = join(tmpdir(), 'layerkit-interop-host-residue');

const markerOf = (path: string) => join(MARKERS, encodeURIComponent(path));

/**
 * Notes which of `paths` are harness residue: absent now, or created by a concurrent harness
 * daemon (marker present). {@link HostResidue.remove} deletes only those, and only once no
 * process in `sharedWith` (names of daemons that use the paths) runs any more.
 */
export function recordHostResidue(paths: readonly string[], sharedWith: readonly string[]): HostResidue {
  const owned = paths.filter((path) => !existsSync(path) || existsSync(markerOf(path)));
  if (owned.length > 0) mkdirSync(MARKERS, { recursive: true });
  for (const path of owned) writeFileSync(markerOf(path), '');
  return {
    remove() {
      if (owned.length === 0 || anyRunning(sharedWith)) return;
      for (const path of owned) {
        rmSync(path, { recursive: true, force: true });
        rmSync(markerOf(path), { force: true });
      }
    },
  };
}
