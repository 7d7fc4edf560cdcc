/**
 * One registry client per registry host and options object, shared by every source and sink
 * opened with them: a commit whose base and destination live on the same registry asks for
 * tokens once and reuses connections, and a build tool that passes the same options to many
 * calls keeps both across calls.
 */
import type { RegistryClient } from '@layerkit/registry';
import { createRegistryClient, type RegistryOptions } from '@layerkit/registry/node';

const DEFAULT_OPTIONS: RegistryOptions = {};
const clients = new WeakMap<RegistryOptions, Map<string, RegistryClient>>();

/** The client for `registry` under `options` (default: skopeo's defaults). */
export function registryClient(registry: string, options: RegistryOptions = DEFAULT_OPTIONS): RegistryClient {
  let byHost = clients.get(options);
  if (byHost === undefined) {
    byHost = new Map();
    clients.set(options, byHost);
  }
  let client = byHost.get(registry);
  if (client === undefined) {
    client = createRegistryClient(registry, options);
    byHost.set(registry, client);
  }
  return client;
}
