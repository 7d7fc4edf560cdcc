/**
 * Reading a docker-archive (`docker save` output, Docker 1.10 … 27, or skopeo/podman's).
 * `manifest.json` is authoritative, as for `docker load`: its `Config` and `Layers` paths are
 * resolved only among the archive's regular members (R12), and the layer count must match the
 * config's diff_ids (R7). When the archive also holds an OCI layout whose manifest has that
 * config (Docker ≥ 25, layerkit), that manifest is served unchanged; otherwise an OCI manifest
 * is synthesized after every layer's DiffID is verified.
 * Threat ids (Rn) are those of docs/threat-model.md#read.
 */
import {
  type ByteSource,
  type Digest,
  decompressAuto,
  LayerkitError,
  MemoryBlobStore,
  mediaTypeFor,
} from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import type { Raw } from '../../json/raw.js';
import { encodeDocument } from '../../json/raw.js';
import { JsonSizeLimits } from '../../json/strict-parse.js';
import { MediaTypes } from '../../media-types.js';
import type { Descriptor, ImageConfig, ImageManifest } from '../../oci-types.js';
import { parseConfig } from '../../parse/config.js';
import { checkLayersMatchDiffIds } from '../../parse/layer-count.js';
import type { PlatformWant } from '../../parse/platform.js';
import type { BlobReader } from '../../store/blob-reader.js';
import { familiarReference, parseDockerName } from '../../store/docker-name.js';
import {
  DOCKER_MANIFEST_MAX_BYTES,
  type DockerSaveItem,
  parseDockerSaveManifest,
} from '../../store/docker-save-manifest.js';
import type { ImageSource, ResolvedImage } from '../../store/image-source.js';
import { readLayoutIndex } from '../../store/layout-image-source.js';
import { resolveImage } from '../../store/resolve-image.js';
import { archiveBlobReader, layoutMemberLocator } from './archive-blob-reader.js';
import { blobMemberName } from './archive-blob-store.js';
import { archiveLayoutAccess } from './archive-layout-access.js';
import {
  type ArchiveFile,
  type ArchiveMember,
  normalizeMemberPath,
  openArchiveFile,
  readArchiveBytes,
  readSmallMember,
} from './archive-members.js';
import { hostPlatform } from './host-platform.js';

const CHUNK_BYTES = 1024 * 1024;

/** Opens a docker-archive for reading (`NOT_A_DOCKER_ARCHIVE` without `manifest.json`). */
export async function openDockerArchiveSource(path: string): Promise<ImageSource> {
  const archive = openArchiveFile(path);
  try {
    const bytes = readSmallMember(archive, 'manifest.json', DOCKER_MANIFEST_MAX_BYTES);
    if (bytes === undefined) {
      throw new LayerkitError('NOT_A_DOCKER_ARCHIVE', `${path} has no manifest.json: not a docker-archive`, {
        path,
      });
    }
    return new DockerArchiveSource(archive, parseDockerSaveManifest(bytes));
  } catch (error) {
    archive.close();
    throw error;
  }
}

class DockerArchiveSource implements ImageSource {
  readonly blobs: BlobReader;
  readonly #archive: ArchiveFile;
  readonly #items: DockerSaveItem[];
  /** Classic archives name blobs by path: members found by the digest computed here (R22). */
  readonly #computed = new Map<Digest, ArchiveMember>();
  /** Manifests synthesized for classic archives. */
  readonly #synthesized = new MemoryBlobStore(nodeRuntime);

  constructor(archive: ArchiveFile, items: DockerSaveItem[]) {
    this.#archive = archive;
    this.#items = items;
    const layout = layoutMemberLocator(archive);
    const members = archiveBlobReader(
      archive,
      (digest) => layout(digest) ?? this.#computed.get(digest),
      nodeRuntime,
    );
    const synthesized = this.#synthesized;
    this.blobs = {
      has: async (digest) => (await synthesized.has(digest)) || members.has(digest),
      get: async (ref) => ((await synthesized.has(ref.digest)) ? synthesized.get(ref) : members.get(ref)),
      stream: (ref): ByteSource =>
        (async function* () {
          yield* (await synthesized.has(ref.digest)) ? synthesized.stream(ref) : members.stream(ref);
        })(),
    };
  }

  /** A docker-archive holds single images: the root is the manifest `resolve` finds. */
  async root(tag?: string): Promise<Descriptor> {
    return (await this.resolve(tag)).manifestDescriptor;
  }

  async tags(): Promise<string[]> {
    return this.#items.flatMap((item) => item.RepoTags);
  }

  async close(): Promise<void> {
    this.#archive.close();
  }

  async resolve(tag?: string, platform?: PlatformWant): Promise<ResolvedImage> {
    const item = this.#pick(tag);
    const configMember = this.#member(item.Config);
    const configBytes = readSmallMember(this.#archive, configMember.name, JsonSizeLimits.config)!;
    const config = parseConfig(configBytes, undefined, { hasher: nodeRuntime.sha256 });
    const layers = item.Layers.map((path) => this.#member(path));
    // R7 before any layer is hashed: the count alone decides, so the descriptors are placeholders.
    const placeholder = configDescriptor(config);
    checkLayersMatchDiffIds(
      { schemaVersion: 2, config: placeholder, layers: layers.map(() => placeholder) },
      config.value,
    );
    return (
      (await this.#fromLayout(item, config, platform)) ??
      (await this.#synthesize(config, configMember, layers))
    );
  }

  #pick(tag: string | undefined): DockerSaveItem {
    const location = this.#archive.path;
    const byPosition = /^@([0-9]{1,9})$/.exec(tag ?? '');
    if (byPosition !== null) {
      const item = this.#items[Number(byPosition[1])];
      if (item === undefined) {
        throw new LayerkitError('IMAGE_NOT_FOUND', `${location} has no image ${tag} in manifest.json`, {
          location,
          tag,
        });
      }
      return item;
    }
    if (tag === undefined) {
      const only = this.#items[0];
      if (only === undefined || this.#items.length > 1) {
        throw new LayerkitError(
          only === undefined ? 'IMAGE_NOT_FOUND' : 'TAG_REQUIRED',
          only === undefined
            ? `${location} holds no image`
            : `${location} holds ${this.#items.length} images; name one`,
          { location },
        );
      }
      return only;
    }
    const wanted = familiarReference(parseDockerName(tag));
    const found = this.#items.find((item) => item.RepoTags.some((repoTag) => sameReference(repoTag, wanted)));
    if (found === undefined) {
      throw new LayerkitError('TAG_NOT_FOUND', `no image tagged ${JSON.stringify(tag)} in ${location}`, {
        location,
        tag,
      });
    }
    return found;
  }

  /** A path from `manifest.json`, resolved inside the archive only (R12). */
  #member(path: string): ArchiveMember & { name: string } {
    const normalized = normalizeMemberPath(path);
    if (normalized === undefined) {
      throw new LayerkitError(
        'ARCHIVE_PATH_ESCAPE',
        `manifest.json path ${JSON.stringify(path)} leaves the archive`,
        {
          path,
        },
      );
    }
    const member = this.#archive.members.get(normalized);
    if (member === undefined) {
      throw new LayerkitError(
        'ARCHIVE_MEMBER_MISSING',
        `manifest.json names ${JSON.stringify(path)}, which is not a file in ${this.#archive.path}`,
        {
          path,
        },
      );
    }
    return { ...member, name: normalized };
  }

  /** The OCI manifest of a Docker ≥ 25 archive whose config and layer paths match the item. */
  async #fromLayout(
    item: DockerSaveItem,
    config: Raw<ImageConfig>,
    platform?: PlatformWant,
  ): Promise<ResolvedImage | undefined> {
    const access = archiveLayoutAccess(this.#archive, nodeRuntime);
    let candidates: Descriptor[];
    try {
      candidates = (await readLayoutIndex(access)).manifests;
    } catch {
      return undefined; // No usable layout: `docker load` ignores it too.
    }
    const layerPaths = item.Layers.map((path) => normalizeMemberPath(path));
    for (const candidate of candidates) {
      const image = await resolveImage(this.blobs, candidate, platform ?? hostPlatform()).catch(
        () => undefined,
      );
      if (
        image?.config.digest === config.digest &&
        image.manifest.value.layers.length === layerPaths.length &&
        image.manifest.value.layers.every((layer, i) => blobMemberName(layer.digest) === layerPaths[i])
      ) {
        return image;
      }
    }
    return undefined;
  }

  /** Hashes every layer (checking its DiffID) and builds an OCI manifest for a classic archive. */
  async #synthesize(
    config: Raw<ImageConfig>,
    configMember: ArchiveMember,
    members: ArchiveMember[],
  ): Promise<ResolvedImage> {
    const layers: Descriptor[] = [];
    for (const [i, member] of members.entries()) {
      const { digest, diffID, compression } = await this.#hashLayer(member);
      const expected = config.value.rootfs.diff_ids[i];
      if (diffID !== expected) {
        throw new LayerkitError(
          'DIFFID_MISMATCH',
          `invalid diffID for layer ${i}: the config says ${expected}, the layer is ${diffID}`,
          {
            layer: i,
            expected,
            actual: diffID,
          },
        );
      }
      this.#computed.set(digest, member);
      layers.push({ mediaType: mediaTypeFor(compression), digest, size: member.size });
    }
    this.#computed.set(config.digest, configMember);
    const manifest = encodeDocument<ImageManifest>(
      { schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: configDescriptor(config), layers },
      { hasher: nodeRuntime.sha256 },
    );
    const ref = await this.#synthesized.put(manifest.bytes);
    return {
      manifestDescriptor: { mediaType: MediaTypes.ociManifest, digest: ref.digest, size: ref.size },
      manifest,
      config,
    };
  }

  /** One pass over a layer member: its blob digest, and the DiffID of its decompressed bytes. */
  async #hashLayer(member: ArchiveMember) {
    const blobHasher = nodeRuntime.sha256();
    const archive = this.#archive;
    const raw = (async function* () {
      for (let done = 0; done < member.size; ) {
        const chunk = new Uint8Array(Math.min(CHUNK_BYTES, member.size - done));
        readArchiveBytes(archive, chunk, member.offset + done);
        blobHasher.update(chunk);
        done += chunk.length;
        yield chunk;
      }
    })();
    const { compression, stream } = await decompressAuto(raw, nodeRuntime);
    const diffHasher = nodeRuntime.sha256();
    for await (const chunk of stream) diffHasher.update(chunk);
    return { digest: blobHasher.digest(), diffID: diffHasher.digest(), compression };
  }
}

function configDescriptor(config: Raw<ImageConfig>): Descriptor {
  return { mediaType: MediaTypes.ociConfig, digest: config.digest, size: config.bytes.length };
}

/** `RepoTags` entries compared in familiar form; malformed entries never match. */
function sameReference(repoTag: string, wantedFamiliar: string): boolean {
  try {
    return familiarReference(parseDockerName(repoTag)) === wantedFamiliar;
  } catch {
    return false;
  }
}
