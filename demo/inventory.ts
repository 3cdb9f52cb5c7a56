/**
 * The demo's inventory: examples/inventory.yml with blatam's and minimarket's engines pointed at
 * the demo's engine, their compose projects at the demo's names (the observability stack is part of
 * the demo's minimarket project) and their HTTP bases at the demo's addresses, so the same runbooks
 * run here and in production by switching inventories.
 */
import { parseDocument } from 'yaml';
import type { Endpoint } from './services.js';

export function demoInventory(exampleText: string, socket: string, endpoints: Endpoint[]): string {
  const doc = parseDocument(exampleText);
  for (const system of ['blatam', 'minimarket'] as const) {
    const mine = endpoints.filter((e) => e.project === system);
    if (!mine.length || !doc.hasIn(['systems', system])) continue;
    doc.setIn(['systems', system, 'engines'], doc.createNode({ demo: { socket } }));
    const projects = doc.getIn(['systems', system, 'projects']) as { items?: { key: { value: string } }[] } | undefined;
    for (const p of projects?.items ?? []) doc.setIn(['systems', system, 'projects', p.key.value, 'project'], system);
    const bases = doc.getIn(['systems', system, 'http']) as { items?: { key: { value: string } }[] } | undefined;
    for (const b of bases?.items ?? []) {
      const e = mine.find((x) => x.service === b.key.value && x.url);
      if (e) doc.setIn(['systems', system, 'http', b.key.value], e.url);
    }
  }
  return `# Written by demo:up for the demo's engine (${socket}); see demo/README.md.\n${doc.toString()}`;
}
