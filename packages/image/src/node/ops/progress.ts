/**
 * One progress shape for all long work, and cancellation beside it: every operation takes
 * `onProgress(event)` and `signal`. Each report is also a checkpoint — an aborted signal stops
 * the operation there, and its failure path leaves the destination as it was (Ctrl-C does this).
 */

import { countedBytes } from './event-loop-turns.js';

/** What a long operation is doing. */
export type ProgressPhase =
  /** Walking a directory tree (stat only): `entries` so far. */
  | 'walk'
  /** Writing a new layer: uncompressed tar `bytes` so far. */
  | 'layer'
  /** Copying layer blobs between stores: `bytes` of `totalBytes`. */
  | 'copy'
  /** Unpacking layer `layer` of `layers`: compressed `bytes` of `totalBytes` read. */
  | 'unpack'
  /** Verifying layer `layer` of `layers`: compressed `bytes` of `totalBytes` read. */
  | 'verify'
  /** Reading layer `layer` of `layers` (history sizes): compressed `bytes` of `totalBytes`. */
  | 'read';

/** One progress report. */
export interface ProgressEvent {
  /** What the operation is doing; it says which other fields are set. */
  phase: ProgressPhase;
  /** Bytes done in this phase (0 while walking). */
  bytes: number;
  /** The phase's total bytes, where known. */
  totalBytes?: number;
  /** Entries walked (phase `walk`). */
  entries?: number;
  /** The layer worked on (0 = bottom), where layers are counted. */
  layer?: number;
  /** How many layers the image has, where layers are counted. */
  layers?: number;
}

/** Receives progress; a throw stops the operation as an abort does. */
export type ProgressListener = (event: ProgressEvent) => void;

/** Progress and cancellation: what every long operation takes. */
export interface ProgressOptions {
  /** Called with each progress report; a throw stops the operation as an abort does. */
  onProgress?: ProgressListener | undefined;
  /** Stops the operation at its next checkpoint (and registry requests in flight). */
  signal?: AbortSignal | undefined;
}

/**
 * A reporter for one phase: checks the signal, then tells the listener. `fixed` holds what does
 * not change during the phase (`totalBytes`, `layers` …).
 */
export function phaseReporter(
  options: ProgressOptions,
  phase: ProgressPhase,
  fixed: Omit<ProgressEvent, 'phase' | 'bytes'> = {},
): (update: Omit<ProgressEvent, 'phase'>) => void {
  return (update) => {
    options.signal?.throwIfAborted();
    options.onProgress?.({ phase, ...fixed, ...update });
  };
}

/** A reporter of bytes alone, for byte-counting pipelines. */
export function bytesReporter(
  options: ProgressOptions,
  phase: ProgressPhase,
  fixed: Omit<ProgressEvent, 'phase' | 'bytes'> = {},
): (bytes: number) => void {
  const report = phaseReporter(options, phase, fixed);
  return (bytes) => report({ bytes });
}

/** A reporter of the directory walk (entries), for `directoryTree`'s `onEntries`. */
export function walkReporter(options: ProgressOptions): (entries: number) => void {
  const report = phaseReporter(options, 'walk');
  return (entries) => report({ bytes: 0, entries });
}

/**
 * Counts each layer's compressed stream into one running total over all `layers` of an image
 * (unpacking, verifying, reading): `(i, stream)` passes layer `i`'s bytes through, reporting
 * `{ layer: i, layers, bytes, totalBytes }` as they go.
 */
export function layerStreamReporter(
  options: ProgressOptions,
  phase: 'unpack' | 'verify' | 'read',
  layers: readonly { size: number }[],
): (index: number, stream: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array> {
  const totalBytes = layers.reduce((sum, layer) => sum + layer.size, 0);
  const report = phaseReporter(options, phase, { layers: layers.length, totalBytes });
  let done = 0;
  return (index, stream) => {
    const before = done;
    return countedBytes(stream, (bytes) => {
      done = before + bytes;
      report({ layer: index, bytes: done });
    });
  };
}
