export * from './json/canonical.js';
export type * from './json/json-value.js';
export * from './json/strict-parse.js';
export * from './media-types.js';
export type * from './oci-types.js';
