/** Progress lines for long operations (shown only on a TTY; see output.ts). */
import type { Output } from './output.js';

/** Formats a byte count for people (binary units, one decimal). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/**
 * A progress callback for layer writing: bytes done and the rate since it started. It is also
 * the operation's interruption checkpoint: once `interrupted` aborts, it throws.
 */
export function layerProgress(out: Output, interrupted: AbortSignal): (bytes: number) => void {
  const started = Date.now();
  return (bytes) => {
    interrupted.throwIfAborted();
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    out.progress(`writing layer: ${formatBytes(bytes)} (${formatBytes(bytes / seconds)}/s)`);
  };
}
