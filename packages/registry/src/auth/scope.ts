/**
 * Token scopes (distribution "Token Scope Documentation"): what a request needs access to,
 * e.g. `repository:library/nginx:pull` or `repository:team/app:pull,push`.
 */

/** The actions a request needs on one repository. */
export interface RepositoryScope {
  repository: string;
  actions: readonly ('pull' | 'push' | 'delete')[];
}

/** `repository:NAME:ACTIONS`, as token realms take it. */
export function formatScope(scope: RepositoryScope): string {
  return `repository:${scope.repository}:${scope.actions.join(',')}`;
}

/** A stable key for a set of scopes (order does not matter). */
export function scopesKey(scopes: readonly RepositoryScope[]): string {
  return scopes.map(formatScope).sort().join(' ');
}
