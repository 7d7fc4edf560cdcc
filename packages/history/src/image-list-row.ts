/** What `docker image ls` prints for a missing repository or tag. */
export const NONE = '<none>';

/**
 * One row of `docker image ls` output: one tag of one image (an untagged image is one row of
 * `<none>`), and for a multi-platform tag one row per platform.
 */
export interface ImageListRow {
  /** The familiar repository name (`nginx`, `localhost:5000/app`), or `<none>`. */
  repository: string;
  /** The tag, or `<none>`. */
  tag: string;
  /** The image ID: the config's digest (`sha256:…`). */
  id: string;
  /** The manifest's digest (`sha256:…`), when the store has a manifest for the image. */
  digest?: string;
  /** The config's RFC 3339 `created`; absent or invalid prints as N/A. */
  created?: string;
  /** The sum of the layers' sizes in bytes, as the store holds them. */
  size: number;
  /** `os/arch[/variant]` of an image that is one platform of a multi-platform tag. */
  platform?: string;
}
