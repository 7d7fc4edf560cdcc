/**
 * @layerkit/registry/node — the registry client on Node: TLS settings and certificate
 * directories, and credentials found as skopeo, podman and Docker find them.
 */
export { loadRegistryCertificates, type RegistryCertificates } from './cert-dir.js';
export { createRegistryClient, type RegistryOptions } from './create-registry-client.js';
export { type DefaultCredentialsOptions, defaultCredentials } from './credentials/default-credentials.js';
export { type NodeTransportOptions, nodeTransport } from './node-transport.js';
