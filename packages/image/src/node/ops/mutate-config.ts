/**
 * `mutateConfig`: config-only steps (`CMD`, `ENV`, `EXPOSE`, …) as a builder records them —
 * no new layer, one `empty_layer` history entry whose `created_by` is the instructions.
 */
import type { PlatformWant } from '../../parse/platform.js';
import type { OpenImageOptions } from '../store/open-image.js';
import type { ImageRefLike } from './image-ref.js';
import { publishStep, type StepMetadata, type StepResult } from './image-step.js';
import { withSink, withSourceImage } from './with-image.js';

/** Options of {@link mutateConfig}. */
export interface MutateConfigOptions extends StepMetadata, OpenImageOptions {
  base: ImageRefLike;
  /** Dockerfile-style instructions, e.g. `CMD ["nginx", "-g", "daemon off;"]`. */
  changes: readonly string[];
  dest: ImageRefLike;
  platform?: PlatformWant;
}

/** Applies `changes` to the base's config and publishes the result (same layers) in `dest`. */
export async function mutateConfig(options: MutateConfigOptions): Promise<StepResult> {
  return withSourceImage(options.base, options, async (source, image) =>
    withSink(options.dest, options, async (sink) => {
      const base = { config: image.config.value, layers: image.manifest.value.layers, source };
      return publishStep(base, sink, undefined, {
        ...options,
        createdBy: options.createdBy ?? options.changes.join('; '),
      });
    }),
  );
}
