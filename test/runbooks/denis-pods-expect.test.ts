/** denis/chat-api-timeout#pods judges kubectl's pod table: any pod not ready or failing fails the check. */
import { describe, expect, it } from 'vitest';
import { loadFileConfig, severitiesOf } from '#config/file.js';
import { loadInventory } from '#core/inventory/loader.js';
import { loadRunbooks } from '#core/runbooks/loader.js';
import { renderRunbook } from '#core/runbooks/render.js';
import { judge } from '#core/runs/expect.js';
import { CONFIG, INVENTORY, RUNBOOKS } from './seeds-fixtures.js';

const HEADER = 'NAME                     READY   STATUS             RESTARTS   AGE\n';
const pod = (name: string, ready: string, status: string) => `${name.padEnd(25)}${ready.padEnd(8)}${status.padEnd(19)}0          5m\n`;

describe('denis/chat-api-timeout#pods', async () => {
  const config = loadFileConfig(CONFIG);
  const inventory = (await loadInventory(INVENTORY)).inventory!;
  const { runbooks, errors } = await loadRunbooks(`${RUNBOOKS}/denis/chat-api-timeout.yml`, { severities: severitiesOf(config), severityAliases: config.severityAliases, inventory, root: RUNBOOKS });
  const step = renderRunbook(runbooks[0], {}, {}, inventory).steps.find((s) => s.id === 'pods')!;
  const state = (table: string) => judge(step, { exitCode: 0, output: HEADER + table, timedOut: false }).state;

  it('loads', () => expect(errors).toEqual([]));
  it('passes when every pod runs with its containers ready', () => {
    expect(state(pod('denis-6f9c-a1', '1/1', 'Running') + pod('denis-6f9c-b2', '2/2', 'Running'))).toBe('succeeded');
  });
  it.each([
    ['CrashLoopBackOff', pod('denis-6f9c-b2', '0/1', 'CrashLoopBackOff')],
    ['Running but not ready', pod('denis-6f9c-b2', '0/1', 'Running')],
    ['Pending', pod('denis-6f9c-b2', '0/1', 'Pending')],
    ['ImagePullBackOff', pod('denis-6f9c-b2', '0/1', 'ImagePullBackOff')],
  ])('fails when one pod is %s, even with another one Running', (_, bad) => {
    expect(state(pod('denis-6f9c-a1', '1/1', 'Running') + bad)).toBe('failed');
  });
  it('fails when no pod runs', () => expect(state('')).toBe('failed'));
});
