/** Accepts an image reference as text (skopeo syntax) or already parsed, and checks the latter. */
import { LayerkitError } from '@layerkit/digest';
import {
  formatImageReference,
  type ImageReference,
  parseImageReference,
} from '../../reference/image-reference.js';

/** An image reference, parsed or as `oci:DIR[:TAG]`-style text. */
export type ImageRefLike = ImageReference | string;

/** The fields a parsed reference of each transport may have (anything else is a mistake). */
const FIELDS: Readonly<Record<ImageReference['transport'], readonly string[]>> = {
  oci: ['transport', 'path', 'tag'],
  'oci-archive': ['transport', 'path', 'tag'],
  'docker-archive': ['transport', 'path', 'name', 'sourceIndex'],
  docker: ['transport', 'registry', 'repository', 'tag', 'digest'],
};

function invalidObject(reference: unknown, why: string): LayerkitError {
  let shown: string;
  try {
    shown = JSON.stringify(reference).slice(0, 200);
  } catch {
    shown = String(reference);
  }
  return new LayerkitError('INVALID_REFERENCE', `invalid image reference object ${shown}: ${why}`, {
    reference: shown,
  });
}

/**
 * Checks a reference built by hand: it must be what `parseImageReference` gives for its own
 * text form (so `{ transport: 'docker-archive', name: 'app:v1' }`, whose name is not a parsed
 * Docker name, is refused instead of writing `undefined:undefined` into an archive).
 */
function checkReference(reference: ImageReference): ImageReference {
  const fields = FIELDS[(reference as { transport?: unknown })?.transport as ImageReference['transport']];
  if (fields === undefined) throw invalidObject(reference, 'unknown transport');
  const extra = Object.keys(reference).filter((key) => !fields.includes(key));
  if (extra.length > 0) throw invalidObject(reference, `unknown field ${extra.join(', ')}`);
  const { name } = reference as { name?: unknown };
  const nameFields = ['repository', 'familiarRepository', 'tag'] as const;
  if (
    name !== undefined &&
    (typeof name !== 'object' ||
      name === null ||
      !nameFields.every((key) => typeof (name as Record<string, unknown>)[key] === 'string'))
  ) {
    throw invalidObject(reference, "name must be a parsed Docker name (parseDockerName('app:v1'))");
  }
  let reparsed: ImageReference;
  try {
    reparsed = parseImageReference(formatImageReference(reference));
  } catch (error) {
    throw invalidObject(reference, error instanceof Error ? error.message : String(error));
  }
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  for (const key of fields) {
    const given = (reference as unknown as Record<string, unknown>)[key];
    const parsed = (reparsed as unknown as Record<string, unknown>)[key];
    if (given !== undefined && !same(given, parsed)) {
      throw invalidObject(reference, `${key} is not in its parsed form (expected ${JSON.stringify(parsed)})`);
    }
  }
  return reparsed;
}

/** Parses `ref` when it is text; checks it when it is an object. */
export function toImageReference(ref: ImageRefLike): ImageReference {
  return typeof ref === 'string' ? parseImageReference(ref) : checkReference(ref);
}
