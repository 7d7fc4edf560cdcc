/**
 * @layerkit/digest — content addressing for OCI images (portable core: no `node:` imports).
 * Node's native fast paths are in `@layerkit/digest/node`.
 */
export type * from './contracts.js';
export * from './errors.js';
