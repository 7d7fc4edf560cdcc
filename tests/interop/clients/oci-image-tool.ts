import { ClientError, runTool } from './tools.js';

/** A single JSON document type oci-image-tool checks against its (image-spec rc-era) schema. */
export type OciDocumentType = 'manifest' | 'imageIndex' | 'config';

async function validate(args: readonly string[]): Promise<string> {
  const result = await runTool('oci-image-tool', ['validate', ...args]);
  const output = `${result.stdout}${result.stderr}`;
  // rc1 prints its verdict; exit 0 without it means nothing was validated
  if (!output.includes('Validation succeeded')) {
    throw new ClientError(
      ['oci-image-tool', 'validate', ...args],
      0,
      null,
      result.stdout,
      result.stderr,
      'no verdict',
    );
  }
  return output;
}

/**
 * `oci-image-tool validate --type image [--ref name=TAG] DIR`: schema of index.json, manifests
 * and configs, `oci-layout`, and that referenced blobs exist. A lint, not a full validator: it
 * never decompresses layers nor checks blob digests. Directories only (tar input is broken in
 * rc1). `--ref name=TAG` narrows what is checked but does not reliably reject an unknown tag
 * (rc1 accepted `name=nope` in a two-tag layout): check tags with umoci `ls`. Returns the output.
 */
export function validateLayout(layoutDir: string, tag?: string): Promise<string> {
  return validate(['--type', 'image', ...(tag ? ['--ref', `name=${tag}`] : []), layoutDir]);
}

/** `oci-image-tool validate --type TYPE FILE`: one JSON document against its schema. */
export function validateDocument(type: OciDocumentType, path: string): Promise<string> {
  return validate(['--type', type, path]);
}
