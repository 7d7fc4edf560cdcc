/**
 * `mutateConfig`: config-only steps (`CMD`, `ENV`, `EXPOSE`, …) as a builder records them —
 * no new layer, one `empty_layer` history entry whose `created_by` is the instructions.
 */
import type { PlatformWant } from '../../parse/platform.js';
import type { OpenImageOptions } from '../store/open-image.js';
import type { ImageRefLike } from './image-ref.js';
import {
  checkStepMetadata,
  configEditText,
  publishStep,
  type StepMetadata,
  type StepResult,
} from './image-step.js';
import type { ProgressOptions } from './progress.js';
import { withSink, withSourceImage } from './with-image.js';

/** Options of {@link mutateConfig}. */
export interface MutateConfigOptions extends StepMetadata, OpenImageOptions, ProgressOptions {
  /** The image whose config is edited. */
  base: ImageRefLike;
  /** Dockerfile-style instructions, e.g. `CMD ["nginx", "-g", "daemon off;"]` (or only `config`). */
  changes?: readonly string[] | undefined;
  /** Where the new image goes; may be the base's layout with another tag. */
  dest: ImageRefLike;
  /** The platform to pick from a multi-platform base (default: the host's). */
  platform?: PlatformWant | undefined;
}

/**
 * Applies `changes`, then `config`, to the base's config and publishes the result (same layers)
 * in `dest`. The history entry's CREATED BY is `createdBy`, else a summary of the edit.
 */
export async function mutateConfig(options: MutateConfigOptions): Promise<StepResult> {
  checkStepMetadata(options);
  return withSourceImage(options.base, options, async (source, image) =>
    withSink(options.dest, options, async (sink) => {
      const base = { config: image.config.value, layers: image.manifest.value.layers, source };
      return publishStep(base, sink, undefined, {
        ...options,
        createdBy: options.createdBy ?? configEditText(options),
      });
    }),
  );
}
