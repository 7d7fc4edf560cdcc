/** The platform an image config describes: what index and manifest descriptors SHOULD carry. */
import type { ImageConfig, Platform } from '../oci-types.js';

/** `architecture`, `os` and, where the config has them, `variant`, `os.version`, `os.features`. */
export function configPlatform(config: ImageConfig): Platform {
  const platform: Platform = { architecture: config.architecture, os: config.os };
  if (config.variant !== undefined) platform.variant = config.variant;
  if (config['os.version'] !== undefined) platform['os.version'] = config['os.version'];
  if (config['os.features'] !== undefined) platform['os.features'] = config['os.features'];
  return platform;
}
