/**
 * A registry client set up as skopeo and podman set theirs up: credentials from `--creds` or
 * the usual auth files and credential helpers, certificates from `--cert-dir` or the system's
 * per-registry directories, TLS verification unless turned off, native hashing.
 */
import { nodeRuntime } from '@layerkit/digest/node';
import type { CredentialsProvider, RegistryCredentials } from '../auth/credentials.js';
import { RegistryClient } from '../client/registry-client.js';
import type { RetryOptions } from '../http/retry-policy.js';
import { loadRegistryCertificates } from './cert-dir.js';
import { defaultCredentials } from './credentials/index.js';
import { nodeTransport } from './node-transport.js';

/** How layerkit talks to registries (every option has skopeo's default). */
export interface RegistryOptions {
  /**
   * Credentials: `USER:PASS` as `--creds` takes it, an object, or a provider. Default: the auth
   * files and credential helpers skopeo and podman read.
   */
  creds?: string | RegistryCredentials | CredentialsProvider | undefined;
  /** An auth file to read instead of the default ones (`--authfile`). */
  authFile?: string | undefined;
  /** Verify TLS certificates and refuse plain HTTP (default true; loopback hosts may use HTTP). */
  tlsVerify?: boolean | undefined;
  /** A directory of `*.crt` CAs and `*.cert`/`*.key` client certificates (`--cert-dir`). */
  certDir?: string | undefined;
  /**
   * When and how often to resend after connection failures, 408, 429 and 5xx answers (default: 5 attempts).
   */
  retry?: RetryOptions | undefined;
  /** Longest wait for a response's headers (default 60 s). */
  requestTimeoutMs?: number | undefined;
  /** Longest pause inside a download (default 60 s). */
  idleTimeoutMs?: number | undefined;
  /** Bytes per upload request (default 8 MiB). */
  chunkSize?: number | undefined;
  /** The `User-Agent` header. */
  userAgent?: string | undefined;
}

function credentialsProvider(options: RegistryOptions): CredentialsProvider {
  const { creds } = options;
  if (typeof creds === 'function') return creds;
  if (typeof creds === 'object') return async () => creds;
  return defaultCredentials({ creds, authFile: options.authFile });
}

/** A client for `registry` (`docker.io`, `ghcr.io`, `127.0.0.1:5000`) configured by `options`. */
export function createRegistryClient(registry: string, options: RegistryOptions = {}): RegistryClient {
  const { ca, clientCertificate } = loadRegistryCertificates(registry, options.certDir);
  return new RegistryClient(registry, {
    transport: nodeTransport({ tlsVerify: options.tlsVerify !== false, ca, clientCertificate }),
    credentials: credentialsProvider(options),
    insecure: options.tlsVerify === false,
    runtime: nodeRuntime,
    retry: options.retry,
    requestTimeoutMs: options.requestTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    chunkSize: options.chunkSize,
    userAgent: options.userAgent,
  });
}
