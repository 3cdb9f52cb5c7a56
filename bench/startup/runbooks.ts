/** Generates N valid runbooks (every step kind but ssh, parameters, escalations) under dir/runbooks/bench/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeRunbooks(dir: string, n: number): string {
  const root = join(dir, 'runbooks');
  mkdirSync(join(root, 'bench'), { recursive: true });
  for (let i = 0; i < n; i++) {
    const name = `svc${i}`;
    writeFileSync(join(root, 'bench', `rb-${String(i).padStart(3, '0')}.yml`), `title: Servicio ${name} no responde
description: Generated runbook ${i} for the start-up benchmark.
severity: P${(i % 4) + 1}
match:
  keywords: [${name}, "${name} down", latency-${i % 10}]
docker: { project: shop }
params:
  service: { type: string, pattern: "^[a-z0-9_-]+$", default: ${name} }
steps:
  - id: health
    title: Verificar el endpoint de ${name}
    http: { url: "http://localhost:${8000 + (i % 100)}/health", expect_status: 200, expect_body: ok }
    timeout: 10s
    on_failure: continue
  - id: ps
    title: Ver contenedores
    docker: { ps: true }
  - id: logs
    title: Logs recientes de {{ service }}
    docker: { service: "{{ service }}", logs: { tail: 50, grep: 'error|fatal', ignore_case: true } }
  - id: stats
    title: Recursos de {{ service }}
    docker: { service: "{{ service }}", stats: true }
  - id: disk
    title: Espacio en disco
    docker: { service: "{{ service }}", exec: [df, -h, /] }
    expect: { exit_code: 0 }
  - id: restart
    title: Reiniciar {{ service }}
    docker: { service: "{{ service }}", restart: { timeout: 10s } }
    danger: true
  - id: settle
    title: Esperar
    wait: 10s
  - id: verify
    title: Verificar de nuevo
    http: { url: "http://localhost:${8000 + (i % 100)}/health", expect_status: [200] }
    on_failure: { goto: escalate }
  - id: record
    title: Registrar
    manual: Si recupera, registrar el incidente.
  - id: escalate
    title: Escalar
    escalate: { to: on-call, reason: "{{ service }} no se recupera" }
escalate:
  - when: 5 minutos sin respuesta
    then: Contactar on-call
`);
  }
  return root;
}
