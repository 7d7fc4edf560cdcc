/** Image operations on the file system: what a build tool calls instead of the CLI. */
export * from './append-layer.js';
export * from './commit.js';
export * from './convert.js';
export * from './create-index.js';
export * from './diff-image.js';
export * from './image-history.js';
export * from './image-ref.js';
export type { StepMetadata, StepResult } from './image-step.js';
export * from './import-rootfs.js';
export * from './layer-file.js';
export type { LayerOptions } from './layer-from-tree-diff.js';
export * from './mutate-config.js';
export { type SquashOptions, squash } from './squash.js';
export * from './unpack.js';
export * from './unpacked-image-record.js';
export * from './verify.js';
export * from './with-image.js';
