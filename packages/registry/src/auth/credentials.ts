/**
 * Who the client is to a registry: the credential shapes and the provider that finds them.
 * Where they come from (flags, auth files, credential helpers) is the caller's business; the
 * Node part of this package implements the lookup skopeo and podman use (`defaultCredentials`
 * in `@layerkit/registry/node`).
 */

/** Credentials a registry accepts. Never logged, never put into an error's message or details. */
export type RegistryCredentials =
  /** HTTP Basic, or the Basic credentials sent to a token realm. */
  | {
      /** The account name. */
      username: string;
      /** The password, or an access token used as one. */
      password: string;
    }
  /**
   * Docker's `identitytoken` (or a helper's answer with Username `<token>`): an OAuth2 refresh
   * token exchanged at the token realm; `username` is the account it belongs to, when known.
   */
  | {
      /** The refresh token. */
      identityToken: string;
      /** The account the token belongs to, when known. */
      username?: string;
    };

/**
 * Finds credentials for one repository of one registry. `registry` is the host as written in
 * references (`docker.io`, `127.0.0.1:5000`), `repository` the path (`library/nginx`).
 * Resolves `undefined` for anonymous access.
 */
export type CredentialsProvider = (
  registry: string,
  repository: string,
) => Promise<RegistryCredentials | undefined>;
