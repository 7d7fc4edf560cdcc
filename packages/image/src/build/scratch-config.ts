/** The config of `scratch`: no layers, no history, an empty execution config, for one platform. */
import type { ImageConfig } from '../oci-types.js';
import type { PlatformWant } from '../parse/platform.js';

/** The empty config an image built `FROM scratch` starts from, for `platform`. */
export function scratchConfig(platform: PlatformWant): ImageConfig {
  const config: ImageConfig = {
    architecture: platform.architecture,
    os: platform.os,
    config: {},
    rootfs: { type: 'layers', diff_ids: [] },
  };
  if (platform.variant !== undefined) config.variant = platform.variant;
  return config;
}
