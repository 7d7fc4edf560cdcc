/** Accepts an image reference as text (skopeo syntax) or already parsed. */
import { type ImageReference, parseImageReference } from '../../reference/image-reference.js';

/** An image reference, parsed or as `oci:DIR[:TAG]`-style text. */
export type ImageRefLike = ImageReference | string;

/** Parses `ref` when it is text. */
export function toImageReference(ref: ImageRefLike): ImageReference {
  return typeof ref === 'string' ? parseImageReference(ref) : ref;
}
