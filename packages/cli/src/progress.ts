/** Progress lines for long operations (shown only on a TTY; see output.ts). */
import type { ProgressEvent } from '@layerkit/image/node';
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

/** The rate of `bytes` done since `started` (a Date.now() value), for people. */
function rate(bytes: number, started: number): string {
  const seconds = Math.max((Date.now() - started) / 1000, 0.001);
  return `${formatBytes(bytes / seconds)}/s`;
}

const VERBS = {
  layer: 'writing layer',
  copy: 'copying layers',
  unpack: 'unpacking layer',
  verify: 'verifying layer',
  read: 'reading layer',
} as const;

/** One line for an event: what, which layer, how much of how much, how fast. */
function progressLine(event: ProgressEvent, started: number): string {
  if (event.phase === 'walk') return `scanning: ${event.entries ?? 0} entries`;
  const which =
    event.layer === undefined || event.layers === undefined ? '' : ` ${event.layer + 1}/${event.layers}`;
  const total = event.totalBytes === undefined ? '' : ` of ${formatBytes(event.totalBytes)}`;
  return `${VERBS[event.phase]}${which}: ${formatBytes(event.bytes)}${total} (${rate(event.bytes, started)})`;
}

/**
 * The `onProgress` of a command: its progress line on the terminal. (Ctrl-C reaches the
 * operation through its signal; the operation checks it at every report.)
 */
export function progressOf(out: Output): (event: ProgressEvent) => void {
  const started = new Map<string, number>();
  return (event) => {
    const phaseStarted = started.get(event.phase);
    if (phaseStarted === undefined) started.set(event.phase, Date.now());
    // A new phase is shown at once: a short one would otherwise never be seen.
    out.progress(progressLine(event, phaseStarted ?? Date.now()), phaseStarted === undefined);
  };
}
