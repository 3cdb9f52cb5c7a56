/** The real kubectl client (Debian `kubernetes-client`); no API server runs on these machines. */
import { spawnSync } from 'node:child_process';

export function kubectlAvailable(): boolean {
  if (spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0) return true;
  const msg = 'kubectl missing (apt-get install kubernetes-client) — run scripts/install-peers.sh';
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n*** SKIPPING kubectl tests: ${msg} ***\n`);
  return false;
}

/** A kubeconfig whose contexts point at the given ports on 127.0.0.1 (nothing there answers as Kubernetes). */
export function kubeconfig(contexts: Record<string, number>): string {
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const [name, port] of Object.entries(contexts)) lines.push(`- name: c-${name}`, `  cluster: { server: "https://127.0.0.1:${port}" }`);
  lines.push('users:', '- name: u', '  user: { token: not-a-secret }', 'contexts:');
  for (const name of Object.keys(contexts)) lines.push(`- name: ${name}`, `  context: { cluster: c-${name}, user: u, namespace: elsewhere }`);
  lines.push(`current-context: ${Object.keys(contexts)[0]}`, '');
  return lines.join('\n');
}
