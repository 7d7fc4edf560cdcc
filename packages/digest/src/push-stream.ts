/**
 * Driving the push-style streams of the pure-JavaScript codecs (fflate's `Gzip`/`Gunzip`,
 * fzstd's `Decompress`) from a byte source: fixed-size pushes in, an output queue out.
 */
import type { ByteSource } from './contracts.js';
import { fixedBlocks } from './fixed-blocks.js';

/** The push-style stream shape fflate's and fzstd's streams share. */
export interface PushStream {
  /** Feeds `chunk`; `final` marks the end of the input. Output arrives through the stream's callback. */
  push(chunk: Uint8Array, final?: boolean): void;
}

const EMPTY = new Uint8Array(0);

/**
 * Drives `stream` from `source` in fixed pushes of `pushBytes`, yielding whatever lands in
 * `output`. `inspect`, when given, sees each block first and returns the parts of it to push
 * (output is yielded after each part).
 * Only the stream's (and `inspect`'s) failures go through `fail`; source errors pass unchanged.
 */
export async function* pumpPushStream(
  source: ByteSource,
  stream: PushStream,
  output: Uint8Array[],
  pushBytes: number,
  fail: (error: unknown) => Error,
  inspect?: (block: Uint8Array, final: boolean) => Uint8Array[],
): ByteSource {
  const guarded = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      throw fail(error);
    }
  };
  for await (const block of fixedBlocks(source, pushBytes)) {
    for (const part of inspect === undefined ? [block] : guarded(() => inspect(block, false))) {
      guarded(() => stream.push(part, false));
      yield* output.splice(0);
    }
  }
  for (const part of inspect === undefined ? [] : guarded(() => inspect(EMPTY, true))) {
    guarded(() => stream.push(part, false));
    yield* output.splice(0);
  }
  guarded(() => stream.push(EMPTY, true));
  yield* output.splice(0);
}

/** An output queue and the callback (fflate's and fzstd's `ondata`) that fills it. */
export function outputQueue(): [Uint8Array[], (chunk: Uint8Array) => void] {
  const output: Uint8Array[] = [];
  return [
    output,
    (chunk) => {
      if (chunk.length > 0) output.push(chunk);
    },
  ];
}
