/**
 * The `org.opencontainers.image.ref.name` grammar (annotations.md), enforced before a name is used
 * as a tag, a file name or a lookup key (R18, docs/threat-model.md#r18).
 */
import { LayerkitError } from '@layerkit/digest';

/** The annotation that names ("tags") a manifest in an image layout's `index.json`. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** Longest accepted ref name: far above real tags (Docker: 128) and full references. */
const MAX_REF_NAME_LENGTH = 1024;

// component ::= alphanum (separator alphanum)*; separator ::= [-._:@+] | "--"; ref ::= component ("/" component)*
const COMPONENT = '[A-Za-z0-9]+(?:(?:--|[-._:@+])[A-Za-z0-9]+)*';
const REF_NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);

/** True when `name` matches the ref.name grammar (so `../x`, `a//b`, `-x`, `x.` and `` are false). */
export function isValidRefName(name: string): boolean {
  return name.length <= MAX_REF_NAME_LENGTH && REF_NAME.test(name);
}

/** Returns `name` when it is a valid ref name; else throws `INVALID_REF_NAME`. */
export function validateRefName(name: string): string {
  if (!isValidRefName(name)) {
    const shown = name.length > 100 ? `${name.slice(0, 100)}…` : name;
    throw new LayerkitError('INVALID_REF_NAME', `invalid image ref name ${JSON.stringify(shown)}`, {
      name: shown,
    });
  }
  return name;
}
