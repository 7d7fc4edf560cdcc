import { existsSync, rmSync } from 'node:fs';

/**
 * Paths outside their temp dir that a daemon creates whatever its configuration says
 * (containerd 1.6 and dockerd 20.10 hard-code them). Recorded before the daemon starts.
 */
export interface HostResidue {
  /** Removes each recorded path that did not exist when it was recorded. */
  remove(): void;
}

/**
 * Notes which of `paths` exist now, so that {@link HostResidue.remove} deletes only what this
 * run created and never state that belonged to the machine or to another user's daemon.
 */
export function recordHostResidue(paths: readonly string[]): HostResidue {
  const created = paths.filter((path) => !existsSync(path));
  return {
    remove() {
      for (const path of created) rmSync(path, { recursive: true, force: true });
    },
  };
}
