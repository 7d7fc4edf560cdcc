/**
 * The platform of the running host in OCI names (Go's GOOS/GOARCH, as image indexes spell them),
 * the default when a multi-platform image is read.
 */
import type { PlatformWant } from '../../parse/platform.js';

const OCI_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

const OCI_OS: Readonly<Record<string, string>> = { win32: 'windows', sunos: 'solaris' };

/** `linux/amd64`, `linux/arm64`, `linux/arm/v7` … for this process. */
export function hostPlatform(): PlatformWant {
  const os = OCI_OS[process.platform] ?? process.platform;
  const architecture = OCI_ARCH[process.arch] ?? process.arch;
  if (architecture !== 'arm') return { os, architecture };
  const armVersion = (process.config.variables as { arm_version?: string }).arm_version;
  return armVersion === undefined ? { os, architecture } : { os, architecture, variant: `v${armVersion}` };
}
