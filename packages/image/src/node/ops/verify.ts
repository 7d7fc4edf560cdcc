/**
 * `verify`: checks an image end to end and reports every problem instead of stopping at the
 * first — each layer blob's size and digest, each DiffID and the compression its bytes show
 * (by decompressing), the layer count against the config, the history-to-layer mapping, and the
 * rules mainstream clients enforce on the documents (packages/image/src/verify/,
 * docs/client-rejections.md): layer media types, config timestamps, platforms, annotations, and a
 * docker-archive's `RepoTags` and `repositories`.
 */
import { type Digest, isLayerkitError } from '@layerkit/digest';
import { mapHistoryToLayers } from '@layerkit/history';
import { isIndexMediaType } from '../../media-types.js';
import { parseIndex } from '../../parse/index-document.js';
import { checkLayersMatchDiffIds } from '../../parse/layer-count.js';
import type { PlatformWant } from '../../parse/platform.js';
import type { ImageReference } from '../../reference/image-reference.js';
import type { ImageSource } from '../../store/image-source.js';
import { checkRepositories, checkRepoTags } from '../../verify/docker-archive-rules.js';
import { finding, type VerifyProblem } from '../../verify/finding.js';
import { checkImageDocuments, type ListingIndex } from '../../verify/image-rules.js';
import { checkLayerCompression } from '../../verify/layer-compression-rule.js';
import { readDockerArchiveBookkeeping } from '../store/docker-archive-contents.js';
import type { OpenImageOptions } from '../store/open-image.js';
import { baseLayerStream } from './base-layers.js';
import { type ImageRefLike, toImageReference } from './image-ref.js';
import { layerStreamReporter, type ProgressOptions } from './progress.js';
import { withSourceImage } from './with-image.js';

export type { VerifyProblem } from '../../verify/finding.js';

/** The outcome of {@link verify}. */
export interface VerifyReport {
  /** True when no error-level problem was found (warnings do not count). */
  ok: boolean;
  /** The digest of the image manifest that was checked. */
  manifest: Digest;
  /** The digest of its config. */
  config: Digest;
  /** Layers checked (digest and DiffID both verified when `ok`). */
  layers: Array<{
    /** The layer blob's digest (from the manifest). */
    digest: Digest;
    /** The DiffID the config lists for it; absent when the config lists too few. */
    diffID?: Digest;
    /** True when the blob matched its digest and size, its uncompressed tar its DiffID, and its bytes its declared compression. */
    ok: boolean;
  }>;
  /** Every error-level problem, in the order found (empty when `ok`). */
  problems: VerifyProblem[];
  /** Everything found that a mainstream client still takes (spec SHOULDs, lenient cases). */
  warnings: VerifyProblem[];
}

function problemOf(error: unknown): VerifyProblem {
  if (isLayerkitError(error)) return finding(error.code, 'error', error.message);
  throw error;
}

/** Options of {@link verify}. */
export interface VerifyOptions extends OpenImageOptions, ProgressOptions {
  /** The platform to pick from a multi-platform image (default: the host's). */
  platform?: PlatformWant | undefined;
}

/**
 * Verifies the image `ref` names and reports every problem found in one run. Unreadable
 * manifests or configs still throw (there is nothing to check).
 */
export async function verify(ref: ImageRefLike, options: VerifyOptions = {}): Promise<VerifyReport> {
  const reference = toImageReference(ref);
  return withSourceImage(reference, options, async (source, image) => {
    const found: VerifyProblem[] = [
      ...archiveFindings(reference),
      ...checkImageDocuments(image, await listingOf(source, reference, image.manifestDescriptor.digest)),
    ];
    const { layers } = image.manifest.value;
    const diffIds = image.config.value.rootfs.diff_ids;
    const inConfig = `config ${image.manifest.value.config.digest}`;
    try {
      checkLayersMatchDiffIds(image.manifest.value, image.config.value);
    } catch (error) {
      const problem = problemOf(error);
      found.push({ ...problem, message: `${inConfig}: ${problem.message}` });
    }
    const checked: VerifyReport['layers'] = [];
    const counted = layerStreamReporter(options, 'verify', layers);
    for (const [i, layer] of layers.entries()) {
      const diffID = diffIds[i];
      const checkedLayer = { digest: layer.digest, ...(diffID === undefined ? {} : { diffID }) };
      try {
        const blob = counted(i, source.blobs.stream(layer));
        let layerProblems: VerifyProblem[] = [];
        if (diffID === undefined) {
          for await (const _chunk of blob) {
            // No DiffID to check: reading to the end checks the blob's size and digest.
          }
        } else {
          const { compression } = await baseLayerStream(blob, i, layer, diffID).finish();
          layerProblems = checkLayerCompression(layer, i, compression);
        }
        found.push(...layerProblems);
        checked.push({ ...checkedLayer, ok: diffID !== undefined && layerProblems.length === 0 });
      } catch (error) {
        found.push(problemOf(error));
        checked.push({ ...checkedLayer, ok: false });
      }
    }
    const mapping = mapHistoryToLayers(image.config.value.history ?? [], diffIds);
    for (const problem of mapping.validation.problems)
      found.push(finding(problem.code, 'error', `${inConfig}: ${problem.message}`, ['buildah commit']));
    const problems = found.filter((problem) => problem.severity === 'error');
    return {
      ok: problems.length === 0,
      manifest: image.manifestDescriptor.digest,
      config: image.manifest.value.config.digest,
      layers: checked,
      problems,
      warnings: found.filter((problem) => problem.severity === 'warning'),
    };
  });
}

/** The checks of a docker-archive's `manifest.json` and `repositories`. */
function archiveFindings(reference: ImageReference): VerifyProblem[] {
  if (reference.transport !== 'docker-archive') return [];
  const { items, repositories } = readDockerArchiveBookkeeping(reference.path);
  return [
    ...checkRepoTags(items),
    ...(repositories === undefined ? [] : checkRepositories(repositories, items)),
  ];
}

/** The multi-platform index the image was picked from, when its root is one (a docker-archive's never is). */
async function listingOf(
  source: ImageSource,
  reference: ImageReference,
  manifest: Digest,
): Promise<ListingIndex[]> {
  if (reference.transport === 'docker-archive') return [];
  const root = await source.root();
  if (root.digest === manifest || !isIndexMediaType(root.mediaType)) return [];
  return [{ name: root.digest, index: parseIndex(await source.blobs.get(root), root).value }];
}
