/**
 * @layerkit/registry — an OCI distribution (Docker registry v2) client in terms of digests and
 * bytes (portable core: runs wherever `fetch` does). Credential files, credential helpers and
 * TLS settings are in `@layerkit/registry/node`.
 */
export type { CredentialsProvider, RegistryCredentials } from './auth/credentials.js';
export type { DownloadOptions } from './client/blob-download.js';
export type { UploadOptions } from './client/blob-upload.js';
export { MANIFEST_MEDIA_TYPES } from './client/manifest-media-type.js';
export {
  type CallOptions,
  type FetchedManifest,
  RegistryClient,
  type RegistryClientOptions,
} from './client/registry-client.js';
export { type FetchFunction, fetchTransport } from './http/fetch-transport.js';
export type { RegistryHttpOptions } from './http/registry-http.js';
export type { RetryOptions } from './http/retry-policy.js';
export type { HttpRequest, HttpResponse, HttpTransport, ResponseHeaders } from './http/transport.js';
export {
  DOCKER_HUB,
  familiarRepositoryName,
  formatRegistryReference,
  fullRepositoryName,
  parseRegistryReference,
  type RegistryReference,
} from './registry-reference.js';
