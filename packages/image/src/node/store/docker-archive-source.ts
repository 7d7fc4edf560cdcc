/**
 * Reading a docker-archive (`docker save` output, Docker 1.10 … 27, or skopeo/podman's).
 * `manifest.json` is authoritative, as for `docker load`: its `Config` and `Layers` paths are
 * resolved only among the archive's regular members (R12), and the layer count must match the
 * config's diff_ids (R7). When the archive also holds an OCI layout whose manifest has that
 * config (Docker ≥ 25, layerkit), that manifest is served unchanged; otherwise an OCI manifest
 * is synthesized after every layer's DiffID is verified.
 * Threat ids (Rn) are those of docs/threat-model.md#read.
 */
import { checkDiffID, LayerStream, normalizeEntryName } from '@layerkit/diff/internal';
import { type ByteSource, type Digest, MemoryBlobStore, mediaTypeFor } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import type { Raw } from '../../json/raw.js';
import { encodeDocument } from '../../json/raw.js';
import { JsonSizeLimits } from '../../json/strict-parse.js';
import { MediaTypes } from '../../media-types.js';
import type { Descriptor, ImageConfig, ImageManifest } from '../../oci-types.js';
import { parseConfig } from '../../parse/config.js';
import { checkLayersMatchDiffIds } from '../../parse/layer-count.js';
import type { PlatformWant } from '../../parse/platform.js';
import { blobMemberName } from '../../store/archive-member.js';
import type { BlobReader } from '../../store/blob-reader.js';
import { familiarReference, parseDockerName } from '../../store/docker-name.js';
import type { DockerSaveItem } from '../../store/docker-save-manifest.js';
import type { ImageSource, ResolvedImage } from '../../store/image-source.js';
import { readLayoutIndex } from '../../store/layout-image-source.js';
import { pickImage } from '../../store/pick-image.js';
import { resolveImage } from '../../store/resolve-image.js';
import { archiveBlobReader, layoutMemberLocator } from './archive-blob-reader.js';
import { archiveLayoutAccess } from './archive-layout-access.js';
import {
  type ArchiveFile,
  type ArchiveMember,
  openArchiveFile,
  readArchiveBytes,
  readSmallMember,
} from './archive-members.js';
import { dockerArchiveMember, dockerSaveItems } from './docker-archive-contents.js';
import { hostPlatform } from './host-platform.js';

const CHUNK_BYTES = 1024 * 1024;

/** Opens a docker-archive for reading (`NOT_A_DOCKER_ARCHIVE` without `manifest.json`). */
export async function openDockerArchiveSource(path: string): Promise<ImageSource> {
  const archive = openArchiveFile(path);
  try {
    return new DockerArchiveSource(archive, dockerSaveItems(archive));
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
    // R7 before any layer is hashed: the count alone decides.
    checkLayersMatchDiffIds({ config: configDescriptor(config), layers }, config.value);
    return (
      (await this.#fromLayout(item, config, platform)) ??
      (await this.#synthesize(config, configMember, layers))
    );
  }

  /** The item `tag` names: `@N` (the N-th), a Docker name compared in familiar form, or the only one. */
  #pick(tag: string | undefined): DockerSaveItem {
    const store = {
      location: this.#archive.path,
      images: this.#items,
      tagsOf: (item: DockerSaveItem) => item.RepoTags,
    };
    const byPosition = /^@([0-9]{1,9})$/.exec(tag ?? '');
    if (byPosition !== null) return pickImage(store, { index: Number(byPosition[1]) });
    if (tag === undefined) return pickImage(store, undefined);
    const wanted = familiarReference(parseDockerName(tag));
    return pickImage(store, { tag, matches: (repoTag) => sameReference(repoTag, wanted) });
  }

  /** A path from `manifest.json`, resolved inside the archive only (R12). */
  #member(path: string): ArchiveMember & { name: string } {
    return dockerArchiveMember(this.#archive, path);
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
    const layerPaths = item.Layers.map((path) => normalizeEntryName(path));
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
    members: (ArchiveMember & { name: string })[],
  ): Promise<ResolvedImage> {
    const layers: Descriptor[] = [];
    for (const [i, member] of members.entries()) {
      const { digest, diffID, compression } = await this.#hashLayer(member, `layer ${i} (${member.name})`);
      checkDiffID(`layer ${i} (${digest})`, config.value.rootfs.diff_ids[i]!, diffID);
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

  /**
   * One pass over a layer member: its blob digest (the name it gets, R22), and the DiffID and
   * compression of its decompressed bytes. `layer` names it in decompression errors.
   */
  async #hashLayer(member: ArchiveMember, layer: string) {
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
    const { diffID, compression } = await new LayerStream(raw, { runtime: nodeRuntime, layer }).finish();
    return { digest: blobHasher.digest(), diffID, compression };
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
