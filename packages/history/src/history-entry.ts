/**
 * One entry of an image config's `history` array (OCI image-spec config.md), with the spec's
 * JSON field names. `empty_layer: true` means the entry has no layer in `rootfs.diff_ids`.
 */
export interface HistoryEntry {
  /** When the step ran, RFC 3339 (e.g. `2023-11-14T22:13:20Z`). */
  created?: string;
  /** The command that created the layer (e.g. `/bin/sh -c apk add curl`). */
  created_by?: string;
  /** Who made the step (`docker commit --author`). */
  author?: string;
  /** A free-form comment (`docker commit --message`). */
  comment?: string;
  /** True when this entry does not correspond to a layer. */
  empty_layer?: boolean;
}
