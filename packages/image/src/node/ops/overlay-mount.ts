/**
 * Kernel overlayfs through mount(8) and umount(8) (Node has no mount syscall), run with execFile
 * and no shell. The option string names only paths layerkit controls, relative to the state
 * directory the command runs in (`l/<n>` links to the cached layers, `upper`, `work`): no user
 * path is ever parsed by overlayfs' option splitter (`,` `:` `\`), and hundreds of layers fit the
 * page-sized option limit, as Docker's short `l/` links do.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { LayerkitError } from '@layerkit/digest';

/** The largest mount option string the kernel takes (one page, its NUL included). */
const MAX_OPTIONS_BYTES = 4095;
/** overlayfs' limit on lower layers. */
const MAX_LOWER_LAYERS = 500;

/** The mount(8) `-o` value for `lowers` (top first, relative to the state directory). */
export function overlayOptions(lowers: readonly string[]): string {
  if (lowers.length > MAX_LOWER_LAYERS) {
    throw new LayerkitError(
      'MOUNT_FAILED',
      `overlayfs mounts at most ${MAX_LOWER_LAYERS} layers, not ${lowers.length}`,
      {
        layers: lowers.length,
      },
    );
  }
  // userxattr: overlay's metadata is user.overlay.* (the only choice in a user namespace, and so
  // one cache serves root and rootless); it also turns redirects and metacopy off, so every
  // upperdir entry is whole and no lower can redirect a lookup.
  const options = `lowerdir=${lowers.join(':')},upperdir=upper,workdir=work,userxattr`;
  if (options.length > MAX_OPTIONS_BYTES) {
    throw new LayerkitError(
      'MOUNT_FAILED',
      `overlay mount options of ${options.length} bytes exceed one page`,
      {
        layers: lowers.length,
      },
    );
  }
  return options;
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: { ...process.env, LC_ALL: 'C' } }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else reject(Object.assign(error, { stderr: String(stderr).trim() }));
    });
  });
}

/** Whether mount(8) failed for lack of privilege (no CAP_SYS_ADMIN here, or no user namespace support). */
function notPermitted(stderr: string): boolean {
  return /must be superuser|permission denied|operation not permitted/i.test(stderr);
}

/** Mounts overlayfs on `target` with `options`, run in `stateDir` (the options' paths are relative to it). */
export function mountOverlay(target: string, options: string, stateDir: string): Promise<void> {
  return runMountTool('mount', ['-t', 'overlay', 'overlay', '-o', options, target], stateDir, target);
}

/** Unmounts `target`. */
export function unmountOverlay(target: string): Promise<void> {
  return runMountTool('umount', [target], '/', target);
}

/**
 * Runs mount(8) or umount(8) on `target`. A failure for lack of privilege is `NEEDS_ROOT` (it
 * names both ways to get it), any other is `MOUNT_FAILED` with the tool's message.
 */
async function runMountTool(
  tool: 'mount' | 'umount',
  args: string[],
  cwd: string,
  target: string,
): Promise<void> {
  const verb = tool === 'mount' ? 'mount' : 'unmount';
  try {
    await run(tool, args, cwd);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    if (notPermitted(stderr)) {
      throw new LayerkitError(
        'NEEDS_ROOT',
        `${verb}ing ${target} needs root, or a user namespace that may mount overlayfs (Linux 5.11+): run as root or under 'unshare -Urm' (${stderr})`,
        { path: target },
        { cause: error },
      );
    }
    throw new LayerkitError(
      'MOUNT_FAILED',
      `cannot ${verb} ${target}: ${stderr || String(error)}`,
      { path: target },
      {
        cause: error,
      },
    );
  }
}

/** mountinfo's octal escapes (`\040` for a space) undone. */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_all, octal: string) =>
    String.fromCharCode(Number.parseInt(octal, 8)),
  );
}

/** Whether an overlayfs is mounted on `target` (an absolute, symlink-free path) in this mount namespace. */
export function isOverlayMounted(target: string): boolean {
  // mountinfo holds the path's bytes: read as latin1, compared with the UTF-8 bytes of target.
  const wanted = Buffer.from(target, 'utf8').toString('latin1');
  let found = false;
  for (const line of readFileSync('/proc/self/mountinfo', 'latin1').split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    if (separator < 0 || unescapeMountPath(fields[4] ?? '') !== wanted) continue;
    // The last mount on a path is the one seen there.
    found = fields[separator + 1] === 'overlay';
  }
  return found;
}
