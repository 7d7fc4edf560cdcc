/**
 * Reading typed values out of parsed flags, with usage errors (exit 2) for bad values.
 */

import { levelRange } from '@layerkit/digest';
import { sourceDateEpochFromEnv } from '@layerkit/history';
import {
  type CompressionName,
  type DeflateChoice,
  type DetectionMode,
  type PlatformWant,
  parsePlatform,
} from '@layerkit/image';
import type { RegistryOptions } from '@layerkit/image/node';
import type { FlagSpec, FlagValues } from './command.js';
import { UsageError } from './usage-error.js';

/** Flags shared by the commands that write layers. */
export const layerFlags: FlagSpec = {
  compression: { type: 'string' },
  deflate: { type: 'string' },
  level: { type: 'string' },
  mode: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
};

/** The `--platform os/arch[/variant]` flag. */
export const platformFlag: FlagSpec = { platform: { type: 'string' } };

/** A string flag's value, or undefined. */
export function stringFlag(flags: FlagValues, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable string flag's values (empty when absent). */
export function listFlag(flags: FlagValues, name: string): string[] {
  const value = flags[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

function oneOf<T extends string>(flags: FlagValues, name: string, allowed: readonly T[]): T | undefined {
  const value = stringFlag(flags, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`invalid --${name} "${value}": expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** `--compression gzip|none|zstd`. */
export function compressionFlag(flags: FlagValues): CompressionName | undefined {
  return oneOf(flags, 'compression', ['gzip', 'none', 'zstd'] as const);
}

/** `--deflate native|portable`: gzip by node:zlib, or by the portable fflate (the same bytes in any runtime). */
export function deflateFlag(flags: FlagValues): DeflateChoice | undefined {
  return oneOf(flags, 'deflate', ['native', 'portable'] as const);
}

/** `--mode metadata|auto|content`. */
export function modeFlag(flags: FlagValues): DetectionMode | undefined {
  return oneOf(flags, 'mode', ['metadata', 'auto', 'content'] as const);
}

/** `--level`: 1..9 for gzip (and `none`, which ignores it), 1..19 for zstd. */
export function levelFlag(flags: FlagValues, compression: CompressionName | undefined): number | undefined {
  const text = stringFlag(flags, 'level');
  if (text === undefined) return undefined;
  const level = Number(text);
  const { min, max } = levelRange(compression === 'zstd' ? 'zstd' : 'gzip');
  if (!Number.isInteger(level) || level < min || level > max)
    throw new UsageError(`invalid --level "${text}": expected ${min} to ${max}`);
  return level;
}

/** `--platform`, parsed. */
export function platformOf(flags: FlagValues): PlatformWant | undefined {
  const text = stringFlag(flags, 'platform');
  return text === undefined ? undefined : parsePlatform(text);
}

/**
 * SOURCE_DATE_EPOCH from the environment, parsed by the library's one parser: a bad value throws
 * its `INVALID_SOURCE_DATE_EPOCH`, which `main` reports as a usage error (exit 2).
 */
export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return sourceDateEpochFromEnv(env);
}

const REGISTRY_FLAG_SPEC: FlagSpec = {
  creds: { type: 'string' },
  authfile: { type: 'string' },
  'tls-verify': { type: 'boolean' },
  'cert-dir': { type: 'string' },
};

/** The flags of commands that can reach a registry (`docker://` references), as skopeo spells them. */
export const registryFlags: FlagSpec = REGISTRY_FLAG_SPEC;

/**
 * {@link registryFlags}, plus skopeo copy's `--src-*` and `--dest-*` spellings of each, for the
 * commands that read one image and write another.
 */
export const sidedRegistryFlags: FlagSpec = Object.fromEntries(
  Object.entries(REGISTRY_FLAG_SPEC).flatMap(([name, spec]) => [
    [name, spec],
    [`src-${name}`, spec],
    [`dest-${name}`, spec],
  ]),
);

/** The help lines of {@link registryFlags}. */
export const REGISTRY_HELP = `Registry options (docker://[HOST[:PORT]/]REPO[:TAG|@DIGEST] references):
      --creds USER[:PASS]  credentials (default: the auth files and credential helpers
                           podman, skopeo and docker use)
      --authfile string    read credentials from this auth file instead
      --tls-verify=false   accept unverified certificates and plain HTTP
      --cert-dir string    CAs (*.crt) and a client certificate (*.cert + *.key) for the registry`;

/** The help lines of {@link sidedRegistryFlags}. */
export const SIDED_REGISTRY_HELP = `${REGISTRY_HELP}
      --src-creds, --src-authfile, --src-tls-verify, --src-cert-dir
      --dest-creds, --dest-authfile, --dest-tls-verify, --dest-cert-dir
                           the same, for the image read or the image written only (as in
                           skopeo copy); each overrides its unprefixed flag`;

/** Registry settings from {@link registryFlags}; undefined when none is given (skopeo's defaults). */
export function registryOptionsOf(flags: FlagValues): RegistryOptions | undefined {
  return registryOptionsWithPrefix(flags, '', undefined);
}

/** The registry settings for each side, from {@link sidedRegistryFlags}. */
export interface RegistrySides {
  /** Settings from the unprefixed flags. */
  registry: RegistryOptions | undefined;
  /** The unprefixed settings overridden by `--src-*`; undefined without `--src-*` flags. */
  sourceRegistry: RegistryOptions | undefined;
  /** The unprefixed settings overridden by `--dest-*`; undefined without `--dest-*` flags. */
  destinationRegistry: RegistryOptions | undefined;
}

/** Registry settings from {@link sidedRegistryFlags}, ready to spread into an operation's options. */
export function registrySidesOf(flags: FlagValues): RegistrySides {
  const registry = registryOptionsOf(flags);
  return {
    registry,
    sourceRegistry: registryOptionsWithPrefix(flags, 'src-', registry),
    destinationRegistry: registryOptionsWithPrefix(flags, 'dest-', registry),
  };
}

/**
 * The settings given by the flags named `PREFIX<name>` over `base`; undefined when there are none
 * (so a side without its own flags uses the unprefixed settings).
 */
function registryOptionsWithPrefix(
  flags: FlagValues,
  prefix: string,
  base: RegistryOptions | undefined,
): RegistryOptions | undefined {
  const options: RegistryOptions = {};
  const creds = stringFlag(flags, `${prefix}creds`);
  if (creds !== undefined) {
    if (creds === '' || creds.startsWith(':'))
      throw new UsageError(`invalid --${prefix}creds: expected USER[:PASS]`);
    options.creds = creds;
  }
  const authFile = stringFlag(flags, `${prefix}authfile`);
  if (authFile !== undefined) options.authFile = authFile;
  if (flags[`${prefix}tls-verify`] === false) options.tlsVerify = false;
  else if (flags[`${prefix}tls-verify`] === true && prefix !== '') options.tlsVerify = true;
  const certDir = stringFlag(flags, `${prefix}cert-dir`);
  if (certDir !== undefined) options.certDir = certDir;
  return Object.keys(options).length === 0 ? undefined : { ...base, ...options };
}
