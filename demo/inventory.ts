/**
 * The demo's inventory: examples/inventory.yml with blatam's and minimarket's engines pointed at
 * the demo's engine, their compose projects at the demo's names (the observability stack is part of
 * the demo's minimarket project) and their HTTP bases at the demo's addresses, so the same runbooks
 * run here and in production by switching inventories. The bases get no `via`: the demo's ports are
 * published on opsroom's own machine.
 */
import { parseDocument } from 'yaml';
import type { Endpoint } from './services.js';

/** Bases the demo has no service for, and the service that answers in their place. */
const STANDS_IN: Record<string, string> = {
  proxy: 'dashboard', // no reverse proxy in the demo: the dashboard answers /api/inventory itself
};

export function demoInventory(exampleText: string, socket: string, endpoints: Endpoint[]): string {
  const doc = parseDocument(exampleText);
  for (const system of ['blatam', 'minimarket'] as const) {
    const mine = endpoints.filter((e) => e.project === system);
    if (!mine.length || !doc.hasIn(['systems', system])) continue;
    doc.setIn(['systems', system, 'engines'], doc.createNode({ demo: { socket } }));
    const projects = doc.getIn(['systems', system, 'projects']) as { items?: { key: { value: string } }[] } | undefined;
    // All of them become the one demo project, so each lists every service of them all.
    const services = [...new Set((projects?.items ?? []).flatMap((p) => servicesOf(doc.getIn(['systems', system, 'projects', p.key.value, 'services']))))];
    for (const p of projects?.items ?? []) {
      doc.setIn(['systems', system, 'projects', p.key.value, 'project'], system);
      if (doc.hasIn(['systems', system, 'projects', p.key.value, 'services']))
        doc.setIn(['systems', system, 'projects', p.key.value, 'services'], doc.createNode(services, { flow: true }));
    }
    const bases = doc.getIn(['systems', system, 'http']) as { items?: { key: { value: string } }[] } | undefined;
    for (const b of bases?.items ?? []) {
      const service = STANDS_IN[b.key.value] ?? b.key.value;
      const e = mine.find((x) => x.service === service && x.url);
      if (e) doc.setIn(['systems', system, 'http', b.key.value], e.url);
    }
  }
  return `# Written by demo:up for the demo's engine (${socket}); see demo/README.md.\n${doc.toString()}`;
}

const servicesOf = (node: unknown): string[] => {
  const items = (node as { items?: { value?: unknown }[] } | undefined)?.items ?? [];
  return items.map((i) => String(i.value));
};
