/**
 * Readers that take what Docker takes (unpack, diff, history, convert of an image a user already
 * has) say so once when the image breaks a rule a mainstream client enforces: one warning naming
 * the first problem and the clients, pointing at `layerkit verify` for the full list. Only the
 * document rules are checked (no layer byte is read for it).
 */
import type { ResolvedImage } from '../../store/image-source.js';
import { checkImageDocuments } from '../../verify/image-rules.js';

/** Options of the lenient readers. */
export interface LenientReadOptions {
  /**
   * Called once with a sentence when the image breaks a rule some mainstream client enforces
   * (docs/client-rejections.md); the read goes on. The CLI prints it on stderr.
   */
  onWarning?: ((warning: string) => void) | undefined;
}

/** Calls `onWarning` once when `image`'s documents break an error-level rule of `verify`. */
export function warnIfClientsReject(image: ResolvedImage, onWarning: LenientReadOptions['onWarning']): void {
  if (onWarning === undefined) return;
  const problems = checkImageDocuments(image).filter((problem) => problem.severity === 'error');
  const [first] = problems;
  if (first === undefined) return;
  const clients = first.rejectedBy === undefined ? '' : `; ${first.rejectedBy.join(', ')} reject it`;
  const rest = problems.length - 1;
  const more = rest === 0 ? '' : ` (and ${rest} more problem${rest === 1 ? '' : 's'})`;
  onWarning(
    `${first.message}${clients}${more}; read anyway, as Docker does; \`layerkit verify\` lists every problem`,
  );
}
