// The browser page's routes (filled in with the page itself).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Workspace } from './workspace.js';

export function handlePage(_ws: Workspace, _req: IncomingMessage, _res: ServerResponse, _url: URL): boolean {
  return false;
}
