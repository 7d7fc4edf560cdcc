import { writeFileSync } from 'node:fs';
import { runTool } from '../tools.js';

/**
 * Writes an htpasswd file for `users` (name → password). Distribution 2.8 accepts bcrypt
 * entries only, so they come from `htpasswd -B` (apache2-utils).
 */
export async function writeHtpasswd(path: string, users: Readonly<Record<string, string>>): Promise<void> {
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    // -n prints the entry instead of editing a file
    lines.push((await runTool('htpasswd', ['-nbB', user, password])).stdout.trim());
  }
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
}
