import type { DockerStep } from './schema.js';

/** Docker's own rule for container names; compose project and service names fit inside it. */
export const DOCKER_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export interface TargetFields {
  container?: string;
  project?: string;
  service?: string;
}

/**
 * The target a docker step acts on: its container, or its compose project/service where the
 * project defaults to the runbook's `docker.project`. A step naming a container ignores the default.
 */
export function dockerTargetOf(d: Pick<DockerStep, 'container' | 'project' | 'service'>, defaultProject?: string): TargetFields {
  if (d.container !== undefined) return { container: d.container };
  const project = d.project ?? defaultProject;
  return {
    ...(project !== undefined ? { project } : {}),
    ...(d.service !== undefined ? { service: d.service } : {}),
  };
}
