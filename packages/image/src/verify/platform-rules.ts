/**
 * Platform fields (image-spec config.md and image-index.md): `os` and `architecture` are
 * required and SHOULD be Go's GOOS/GOARCH values; the platform an index entry names SHOULD be
 * the one its image's config declares (containers/image warns when they differ). No mainstream
 * client refuses an image over these, so they are warnings.
 */
import type { Digest } from '@layerkit/digest';
import type { Descriptor, ImageConfig, Platform } from '../oci-types.js';
import { finding, type VerifyProblem } from './finding.js';

// image-spec config.md points at Go's list (go tool dist list, Go 1.22).
const KNOWN_OS: ReadonlySet<string> = new Set(
  'aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos'.split(
    ' ',
  ),
);
const KNOWN_ARCHITECTURE: ReadonlySet<string> = new Set(
  '386 amd64 arm arm64 loong64 mips mips64 mips64le mipsle ppc64 ppc64le riscv64 s390x wasm'.split(' '),
);

/** Warnings for a platform (`where` names its document): empty or unknown `os`/`architecture`. */
export function checkPlatformFields(platform: Platform, where: string): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const check = (field: 'os' | 'architecture', known: ReadonlySet<string>) => {
    const value = platform[field];
    if (value === '')
      problems.push(finding('PLATFORM_FIELD_MISSING', 'warning', `${where}: ${field} is empty`));
    else if (!known.has(value)) {
      problems.push(
        finding(
          'PLATFORM_VALUE_UNKNOWN',
          'warning',
          `${where}: ${field} ${JSON.stringify(value)} is not a Go ${field === 'os' ? 'GOOS' : 'GOARCH'} value`,
        ),
      );
    }
  };
  check('os', KNOWN_OS);
  check('architecture', KNOWN_ARCHITECTURE);
  return problems;
}

/** `PLATFORM_MISMATCH` (warning) when the index entry `entry` names another platform than `config` declares. */
export function checkEntryPlatform(
  entry: Descriptor,
  config: ImageConfig,
  configDigest: Digest,
): VerifyProblem[] {
  const { platform } = entry;
  if (platform === undefined) return [];
  const show = (p: Platform) =>
    [p.os, p.architecture, p.variant].filter((part) => part !== undefined).join('/');
  const same =
    platform.os === config.os &&
    platform.architecture === config.architecture &&
    (platform.variant === undefined || config.variant === undefined || platform.variant === config.variant);
  if (same) return [];
  return [
    finding(
      'PLATFORM_MISMATCH',
      'warning',
      `index entry ${entry.digest} says ${show(platform)}, its config ${configDigest} ${show(config)}`,
    ),
  ];
}
