/** Progress lines for long operations (shown only on a TTY; see output.ts). */
import type { UnpackProgress } from '@layerkit/image/node';
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
 * A progress callback for bytes flowing through an operation (`what`: bytes so far, rate). It is
 * also the operation's interruption checkpoint: once `interrupted` aborts, it throws.
 */
function bytesProgress(what: string, out: Output, interrupted: AbortSignal): (bytes: number) => void {
  const started = Date.now();
  return (bytes) => {
    interrupted.throwIfAborted();
    out.progress(`${what}: ${formatBytes(bytes)} (${rate(bytes, started)})`);
  };
}

/** Progress of writing a layer (uncompressed tar bytes); throws once `interrupted` aborts. */
export function layerProgress(out: Output, interrupted: AbortSignal): (bytes: number) => void {
  return bytesProgress('writing layer', out, interrupted);
}

/** Progress of copying an image's layer blobs; throws once `interrupted` aborts. */
export function copyProgress(out: Output, interrupted: AbortSignal): (bytes: number) => void {
  return bytesProgress('copying layers', out, interrupted);
}

/** The rate of `bytes` done since `started` (a Date.now() value), for people. */
function rate(bytes: number, started: number): string {
  const seconds = Math.max((Date.now() - started) / 1000, 0.001);
  return `${formatBytes(bytes / seconds)}/s`;
}

/**
 * A progress callback for unpacking: layer, compressed bytes read of the total, and the rate.
 * Like the others, it throws once `interrupted` aborts.
 */
export function unpackProgress(out: Output, interrupted: AbortSignal): (progress: UnpackProgress) => void {
  const started = Date.now();
  return ({ layer, layers, bytes, totalBytes }) => {
    interrupted.throwIfAborted();
    out.progress(
      `unpacking layer ${layer + 1}/${layers}: ${formatBytes(bytes)} of ${formatBytes(totalBytes)} (${rate(bytes, started)})`,
    );
  };
}
