/** What a config.yml for distribution 2.8 says. */
export interface RegistryConfig {
  /** Where blobs and manifests go. */
  readonly storage: string;
  /** `127.0.0.1:PORT`. */
  readonly address: string;
  /** Serve HTTPS with this certificate and key (PEM). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** `auth: htpasswd` with this file (bcrypt entries), or `auth: token`. */
  readonly auth?: { readonly htpasswd: string } | { readonly token: TokenAuthConfig } | undefined;
  /** `storage.delete.enabled` (default true): false makes DELETE answer 405 UNSUPPORTED. */
  readonly deleteEnabled?: boolean | undefined;
}

/** `auth: token`: the token server's realm, service and issuer, and the bundle its signing chains end in. */
export interface TokenAuthConfig {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly rootCertBundle: string;
}

/** YAML scalar: JSON strings are valid YAML double-quoted scalars (paths may hold spaces or `:`). */
const quote = (value: string) => JSON.stringify(value);

/** config.yml for distribution 2.8 (`docker-registry serve`). */
export function configYaml(config: RegistryConfig): string {
  const lines = [
    'version: 0.1',
    'log:',
    // warn keeps logrus quiet; the access log (one line per request, on stdout) is what tests read
    '  level: warn',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${quote(config.storage)}`,
    '  delete:',
    `    enabled: ${config.deleteEnabled ?? true}`,
    'http:',
    `  addr: ${config.address}`,
  ];
  if (config.tls) {
    lines.push(
      '  tls:',
      `    certificate: ${quote(config.tls.certFile)}`,
      `    key: ${quote(config.tls.keyFile)}`,
    );
  }
  if (config.auth && 'htpasswd' in config.auth) {
    // distribution 2.8 does not insist on TLS for Basic auth (checked: it serves it over plain HTTP)
    lines.push(
      'auth:',
      '  htpasswd:',
      '    realm: layerkit-interop',
      `    path: ${quote(config.auth.htpasswd)}`,
    );
  }
  if (config.auth && 'token' in config.auth) {
    const { token } = config.auth;
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${quote(token.realm)}`,
      `    service: ${quote(token.service)}`,
      `    issuer: ${quote(token.issuer)}`,
      `    rootcertbundle: ${quote(token.rootCertBundle)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
