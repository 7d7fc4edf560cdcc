/**
 * Annotations (image-spec annotations.md): keys are non-empty, and the value of
 * `org.opencontainers.image.ref.name` follows the ref-name grammar wherever it appears. layerkit
 * refuses such a name as a tag (R18); no mainstream client was seen to refuse the image, so
 * these are warnings.
 */
import { isValidRefName, REF_NAME_ANNOTATION } from '../parse/ref-name.js';
import { finding, type VerifyProblem } from './finding.js';

/** Warnings for the annotations of the document or descriptor `where` names. */
export function checkAnnotations(
  annotations: Record<string, string> | undefined,
  where: string,
): VerifyProblem[] {
  if (annotations === undefined) return [];
  const problems: VerifyProblem[] = [];
  if (Object.hasOwn(annotations, '')) {
    problems.push(finding('ANNOTATION_KEY_EMPTY', 'warning', `${where}: an annotation with an empty key`));
  }
  const refName = annotations[REF_NAME_ANNOTATION];
  if (refName !== undefined && !isValidRefName(refName)) {
    problems.push(
      finding(
        'REF_NAME_INVALID',
        'warning',
        `${where}: ${REF_NAME_ANNOTATION} ${JSON.stringify(refName.slice(0, 200))} does not follow the ref-name grammar`,
      ),
    );
  }
  return problems;
}
