/**
 * A layer tar checked while it streams somewhere else: the bytes pass through unchanged (into a
 * compressor and a blob store, say) while the strict reader parses every header beside them, so
 * a layer is read exactly once — from a FIFO or stdin as well as from a file — and a stream that
 * is not a valid layer fails before whatever consumes it can finish.
 */
import { type ByteSource, LayerkitError } from '@layerkit/digest';
import { ByteChannel } from '@layerkit/digest/internal';
import type { TarLimits } from '../contracts.js';
import { layerEntriesFromTar } from './layer-entries-from-tar.js';

/** How far the reader may fall behind the consumer. */
const CHECK_HIGH_WATER = 4 * 1024 * 1024;

/**
 * Passes `tar` through, failing with the strict reader's typed error (`TAR_*`, `INVALID_WHITEOUT`,
 * `TAR_PATH_ESCAPE` …) at the first bad header, and with `LAYER_EMPTY` for a stream of no bytes.
 * The error surfaces before the last chunk is handed on, so a consumer that commits only at the
 * end of the stream never commits a bad layer.
 */
export async function* checkedLayerTar(tar: ByteSource, limits?: TarLimits): ByteSource {
  const channel = new ByteChannel(CHECK_HIGH_WATER);
  let failure: { error: unknown } | undefined;
  const checking = (async () => {
    for await (const _entry of layerEntriesFromTar(channel.chunks(), limits)) {
      // Reading every header is the check; file bodies are skipped.
    }
  })().catch((error: unknown) => {
    failure = { error };
  });
  let bytes = 0;
  let held: Uint8Array | undefined;
  try {
    for await (const chunk of tar) {
      await channel.push(chunk);
      if (failure !== undefined) throw failure.error;
      // One chunk is held back, so the check of the end of the archive comes before the last chunk.
      if (held !== undefined) yield held;
      held = chunk;
      bytes += chunk.length;
    }
    if (bytes === 0)
      throw new LayerkitError('LAYER_EMPTY', 'the layer is empty (no bytes): not a tar archive');
    channel.end();
    await checking;
    if (failure !== undefined) throw failure.error;
    if (held !== undefined) yield held;
  } finally {
    // Stopped early (an error, or the consumer gave up): stop the reader too.
    channel.fail(new LayerkitError('LAYER_CHECK_STOPPED', 'the layer stream ended early'));
    await checking;
  }
}
