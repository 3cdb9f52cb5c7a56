/** The executors: one StepRunner that sends each step to the runner for its kind. */
import { homedir } from 'node:os';
import Docker from 'dockerode';
import { targetProblem } from '#core/inventory/allow.js';
import type { Inventory } from '#core/inventory/schema.js';
import type { ResolvedCommand, RunOptions, StepKind, StepOutcome, StepRunner } from '#core/runs/step-runner.js';
import { DockerStepRunner, type DockerStepRunnerOptions } from './docker/docker-step-runner.js';
import { engineClients } from './docker/engines.js';
import { tcpAgent } from './ssh/tunnel.js';
import { HttpStepRunner, type HttpStepRunnerOptions } from './http/http-step-runner.js';
import { KubernetesStepRunner } from './kubernetes/kubernetes-step-runner.js';
import { PrometheusStepRunner } from './prometheus/prometheus-step-runner.js';
import { SshStepRunner, type SshInventory, type SshStepRunnerOptions } from './ssh/ssh-step-runner.js';

export { DockerStepRunner, HttpStepRunner, SshStepRunner };

/** Dispatches by `command.kind`. manual, wait and escalate belong to the engine, not here. */
export class CompositeStepRunner implements StepRunner {
  readonly kinds: readonly StepKind[];
  private readonly byKind = new Map<StepKind, StepRunner>();

  /** `refuse`: why a command may not run at all (the inventory's allow-lists), checked before every step. */
  constructor(private readonly runners: readonly StepRunner[], private readonly refuse?: (c: ResolvedCommand) => string | undefined) {
    for (const r of runners) for (const k of r.kinds) if (!this.byKind.has(k)) this.byKind.set(k, r);
    this.kinds = [...this.byKind.keys()];
  }

  run(command: ResolvedCommand, options: RunOptions): Promise<StepOutcome> {
    const refused = this.refuse?.(command);
    if (refused) return Promise.resolve({ exitCode: null, output: '', timedOut: false, error: `Refused: ${refused}` });
    const runner = this.byKind.get(command.kind);
    if (!runner) {
      return Promise.resolve({ exitCode: null, output: '', timedOut: false, error: `No executor for ${command.kind} steps` });
    }
    return runner.run(command, options);
  }

  async close(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.close?.()));
  }
}

export interface ExecutorsConfig {
  docker?: DockerStepRunnerOptions;
  ssh?: { inventory: SshInventory } & SshStepRunnerOptions;
  http?: HttpStepRunnerOptions;
}

/** The Docker, SSH and HTTP runners behind one StepRunner. */
export function createStepRunner(config: ExecutorsConfig = {}, refuse?: (c: ResolvedCommand) => string | undefined): CompositeStepRunner {
  const { inventory = {}, ...sshOptions } = config.ssh ?? { inventory: {} };
  const ssh = new SshStepRunner(inventory, sshOptions);
  return new CompositeStepRunner([
    new DockerStepRunner(config.docker),
    ssh,
    new PrometheusStepRunner(config.http),
    new KubernetesStepRunner(ssh),
  ], refuse);
}

/**
 * The runner an inventory describes: each system's engines (targets name theirs), the old single
 * endpoint (else DOCKER_HOST or the local socket) for targets that name none, its SSH hosts, and
 * HTTP tunnels through them. A TLS engine whose certificate files cannot be read fails its steps, saying so.
 */
export function runnerFromInventory(inventory: Inventory): CompositeStepRunner {
  const d = inventory.docker;
  const docker = d.socket_path ? new Docker({ socketPath: d.socket_path }) : d.host ? new Docker({ host: d.host, port: d.port }) : new Docker();
  const hosts = Object.fromEntries(Object.entries(inventory.hosts).map(([name, h]) => [name, {
    address: h.address, port: h.port, user: h.user, keyPath: h.key_path.replace(/^~(?=\/|$)/, homedir()), hostKey: h.host_key,
  }]));
  const ssh = new SshStepRunner(hosts);
  const connect = (host: string) => ssh.connection(host);
  return new CompositeStepRunner([
    new DockerStepRunner({ docker, engines: engineClients(inventory, connect) }),
    ssh,
    new PrometheusStepRunner({ tunnel: (via, tls) => tcpAgent(connect, via, tls) }),
    new KubernetesStepRunner(ssh),
  ], (c) => targetProblem(c, inventory));
}
