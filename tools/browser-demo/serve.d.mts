import type { Server } from 'node:http';

/** Serves the files of `dir` on 127.0.0.1:`port` (0: a free one); resolves to the server and its URL. */
export function serveDirectory(dir: string, port?: number): Promise<{ server: Server; url: string }>;
