/** Error bodies: read a little for the message, never fail because of them. */
import { collectBytes } from '@layerkit/digest/internal';

/** Reads at most `maxBytes` of an error body (more is left unread); never throws. */
export async function readErrorBody(
  body: AsyncIterable<Uint8Array>,
  maxBytes = 64 * 1024,
): Promise<Uint8Array> {
  try {
    return await collectBytes(body, maxBytes);
  } catch {
    return new Uint8Array(0);
  }
}
