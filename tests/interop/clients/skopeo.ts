import { interopScratchDir } from './scratch.js';
import { runTool, type ToolResult } from './tools.js';

/** The facts `skopeo inspect` reports (fields this harness reads; skopeo prints more). */
export interface SkopeoInspect {
  readonly Name?: string;
  /** Digest of the manifest (for archives: of the manifest skopeo converts to). */
  readonly Digest: string;
  readonly RepoTags: readonly string[];
  readonly Created?: string;
  readonly Architecture: string;
  readonly Os: string;
  /** Layer digests in manifest order (docker-archive: uncompressed digests = diff_ids). */
  readonly Layers: readonly string[];
  readonly Env?: readonly string[] | null;
  readonly Labels?: Readonly<Record<string, string>> | null;
}

/** How skopeo reaches the registry on one side of a {@link copy} (`docker://` references only). */
export interface SkopeoRegistryAccess {
  /** `--{src,dest}-cert-dir`: trust the `ca.crt` in this directory (and verify TLS). */
  readonly certDir?: string | undefined;
  /**
   * `--{src,dest}-tls-verify`; default: on with {@link certDir}, off without (plain-HTTP
   * registries need it off). On without a cert dir: the host's CAs only.
   */
  readonly tlsVerify?: boolean | undefined;
  /** `--{src,dest}-creds USER:PASSWORD`; none: anonymous. */
  readonly creds?: string | undefined;
}

/** Options of {@link copy}. */
export interface SkopeoCopyOptions {
  /** `--all`: copy an index with every image instead of one platform. */
  readonly all?: boolean;
  /** `--preserve-digests`: fail rather than re-encode layers or rewrite the manifest. */
  readonly preserveDigests?: boolean;
  /** How to reach a `docker://` source. */
  readonly src?: SkopeoRegistryAccess;
  /** How to reach a `docker://` destination. */
  readonly dest?: SkopeoRegistryAccess;
  /**
   * `--format`: the manifest type to write (`oci`, `v2s2` = Docker schema 2; with `all`, an index
   * becomes a Docker manifest list). Default: keep the source's where the destination takes it.
   */
  readonly format?: 'oci' | 'v2s2';
  /** `--override-arch`: the platform picked from a multi-platform source (default: the host's). */
  readonly overrideArch?: string;
  /** `--override-variant` (with {@link overrideArch}): e.g. `v7` for `arm`. */
  readonly overrideVariant?: string;
  /**
   * `--dest-compress-format`: recompress layers compressed otherwise (e.g. zstd → gzip, for
   * judges such as umoci 0.4.7 that read gzip only).
   */
  readonly destCompressFormat?: 'gzip' | 'zstd';
}

function withoutColon(path: string): string {
  // skopeo splits transport references at ':'; a path holding one cannot be named
  if (path.includes(':')) throw new Error(`interop: skopeo cannot address a path containing ':' (${path})`);
  return path;
}

/** `oci:DIR[:REF]` — an OCI image layout directory. */
export function ociRef(layoutDir: string, ref?: string): string {
  return `oci:${withoutColon(layoutDir)}${ref ? `:${ref}` : ''}`;
}

/** `oci-archive:FILE[:REF]` — a tarred OCI image layout. */
export function ociArchiveRef(archive: string, ref?: string): string {
  return `oci-archive:${withoutColon(archive)}${ref ? `:${ref}` : ''}`;
}

/** `docker-archive:FILE[:NAME:TAG]` — the `docker save` / `docker load` format. */
export function dockerArchiveRef(archive: string, nameTag?: string): string {
  return `docker-archive:${withoutColon(archive)}${nameTag ? `:${nameTag}` : ''}`;
}

/**
 * TLS and credential flags for inspect. Without `access`: `--tls-verify=false` (plain-HTTP
 * registries on 127.0.0.1); with it, as one side of a {@link copy}.
 */
function tlsFlags(ref: string, access?: SkopeoRegistryAccess): string[] {
  if (!ref.startsWith('docker://')) return [];
  if (access === undefined) return ['--tls-verify=false'];
  const verify = access.tlsVerify ?? access.certDir !== undefined;
  return [
    `--tls-verify=${verify}`,
    ...(access.certDir !== undefined ? ['--cert-dir', access.certDir] : []),
    ...(access.creds !== undefined ? ['--creds', access.creds] : []),
  ];
}

/** TLS and credential flags for one side of a copy. */
function accessFlags(ref: string, side: 'src' | 'dest', access: SkopeoRegistryAccess = {}): string[] {
  if (!ref.startsWith('docker://')) return [];
  const verify = access.tlsVerify ?? access.certDir !== undefined;
  return [
    `--${side}-tls-verify=${verify}`,
    ...(access.certDir !== undefined ? [`--${side}-cert-dir`, access.certDir] : []),
    ...(access.creds !== undefined ? [`--${side}-creds`, access.creds] : []),
  ];
}

/**
 * Runs skopeo with a private TMPDIR (containers/image stages archives there, /var/tmp by
 * default) and no dependency on the host's /etc/containers/policy.json.
 */
async function skopeo(args: readonly string[]): Promise<ToolResult> {
  const tmpScratch = interopScratchDir('skopeo');
  const tmp = tmpScratch.path;
  try {
    return await runTool('skopeo', ['--insecure-policy', ...args], { env: { TMPDIR: tmp } });
  } finally {
    tmpScratch.remove();
  }
}

/**
 * `skopeo inspect REF`, parsed. Reading the image makes skopeo validate manifest and config.
 * `access`: how to reach a `docker://` registry (default: plain HTTP, no credentials).
 */
export async function inspect(ref: string, access?: SkopeoRegistryAccess): Promise<SkopeoInspect> {
  const { stdout } = await skopeo(['inspect', ...tlsFlags(ref, access), ref]);
  return JSON.parse(stdout) as SkopeoInspect;
}

/** `skopeo list-tags docker://HOST/REPO`: the repository's tags, as the registry lists them. */
export async function listTags(ref: string, access?: SkopeoRegistryAccess): Promise<string[]> {
  const { stdout } = await skopeo(['list-tags', ...tlsFlags(ref, access), ref]);
  return (JSON.parse(stdout) as { Tags: string[] | null }).Tags ?? [];
}

/** `skopeo inspect --raw REF`: the manifest (or index) bytes exactly as stored. */
export async function inspectRaw(ref: string, access?: SkopeoRegistryAccess): Promise<Buffer> {
  return (await skopeo(['inspect', '--raw', ...tlsFlags(ref, access), ref])).stdoutBytes;
}

/** `skopeo inspect --config --raw REF`: the image config bytes exactly as stored. */
export async function inspectConfigRaw(ref: string, access?: SkopeoRegistryAccess): Promise<Buffer> {
  return (await skopeo(['inspect', '--config', '--raw', ...tlsFlags(ref, access), ref])).stdoutBytes;
}

/**
 * `skopeo copy SRC DEST`: re-reads every blob and verifies it against its descriptor (and,
 * into docker-archive:, decompresses each layer and checks it against the config's diff_ids).
 */
export async function copy(
  source: string,
  destination: string,
  options: SkopeoCopyOptions = {},
): Promise<void> {
  await skopeo([
    'copy',
    '--quiet',
    ...(options.all ? ['--all'] : []),
    ...(options.preserveDigests ? ['--preserve-digests'] : []),
    ...(options.format !== undefined ? ['--format', options.format] : []),
    ...(options.overrideArch !== undefined ? ['--override-arch', options.overrideArch] : []),
    ...(options.overrideVariant !== undefined ? ['--override-variant', options.overrideVariant] : []),
    ...(options.destCompressFormat !== undefined
      ? ['--dest-compress-format', options.destCompressFormat]
      : []),
    ...accessFlags(source, 'src', options.src),
    ...accessFlags(destination, 'dest', options.dest),
    source,
    destination,
  ]);
}
