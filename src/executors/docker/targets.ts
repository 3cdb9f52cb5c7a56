/** Target resolution: a container name/ID, or compose project/service labels (as docker-compose sees them). */
import type Docker from 'dockerode';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { DockerTarget } from '#core/runs/step-runner.js';
import type { ContainerIndex } from './container-index.js';

const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';

export interface Found {
  id: string;
  name: string;
  service?: string;
  state: string;
  /** `Up 3 minutes (healthy)` as the engine words it. */
  status: string;
}

const statusCode = (e: unknown) => (e as { statusCode?: number }).statusCode;

function describeTarget(t: DockerTarget): string {
  if (t.container) return `container "${t.container}"`;
  const parts = [
    t.composeProject && `${PROJECT_LABEL}=${t.composeProject}`,
    t.composeService && `${SERVICE_LABEL}=${t.composeService}`,
  ].filter(Boolean);
  return `containers labelled ${parts.join(', ')}`;
}

/**
 * Every container the target names (all of a project when no service is given). Never empty.
 * With `index`, compose labels are matched against its kept list instead of asking the engine.
 */
export async function findAll(docker: Docker, target: DockerTarget, index?: ContainerIndex): Promise<Found[]> {
  if (target.container) {
    try {
      const i = await docker.getContainer(target.container).inspect();
      return [{
        id: i.Id, name: i.Name.replace(/^\//, ''), service: i.Config.Labels?.[SERVICE_LABEL],
        state: i.State.Status, status: i.State.Health ? `${i.State.Status} (${i.State.Health.Status})` : i.State.Status,
      }];
    } catch (e) {
      if (statusCode(e) === 404) throw new CodedError(ErrorCode.NotFound, `No container named "${target.container}"`);
      throw unavailable(e);
    }
  }
  if (!target.composeProject && !target.composeService) {
    throw new CodedError(ErrorCode.BadInput, 'A Docker target needs a container name or compose project/service labels');
  }
  const label: string[] = [];
  if (target.composeProject) label.push(`${PROJECT_LABEL}=${target.composeProject}`);
  if (target.composeService) label.push(`${SERVICE_LABEL}=${target.composeService}`);
  let list: Docker.ContainerInfo[];
  try {
    list = index
      ? (await index.list()).filter((c) => label.every((l) => { const [k, v] = l.split('='); return c.Labels?.[k] === v; }))
      : await docker.listContainers({ all: true, filters: { label } });
  } catch (e) {
    throw unavailable(e);
  }
  if (list.length === 0) throw new CodedError(ErrorCode.NotFound, `No ${describeTarget(target)}`);
  return list
    .map((c) => ({
      id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ''), service: c.Labels?.[SERVICE_LABEL],
      state: c.State, status: c.Status,
    }))
    .sort((a, b) => (a.service ?? '').localeCompare(b.service ?? '') || a.name.localeCompare(b.name));
}

/** Exactly one container: a unique match, or the only running one among several. */
export async function findOne(docker: Docker, target: DockerTarget, index?: ContainerIndex): Promise<Found> {
  const all = await findAll(docker, target, index);
  if (all.length === 1) return all[0];
  const running = all.filter((c) => c.state === 'running');
  if (running.length === 1) return running[0];
  throw new CodedError(
    ErrorCode.Conflict,
    `${all.length} ${describeTarget(target)} match (${all.map((c) => `${c.name}: ${c.state}`).join(', ')}); name one container`,
  );
}

export function unavailable(e: unknown): CodedError {
  const msg = e instanceof Error ? e.message : String(e);
  return new CodedError(ErrorCode.Unavailable, `Docker engine unreachable: ${msg}`);
}
