/** The remediation stores (approvals, chat refs) on SQLite and a real PostgreSQL. */
import { afterAll, describe, expect, it } from 'vitest';
import { KyselyApprovalStore, KyselyChatRefs } from '#store/remediation.js';
import { ENGINES } from '../store/engines.js';

describe.each(ENGINES)('remediation stores on $name', (engine) => {
  afterAll(() => engine.shutdown());

  it('approvals: stored as asked, decided once (compare-and-set), then used once', async () => {
    const fresh = await engine.fresh();
    const db = await fresh.open();
    try {
      const store = new KyselyApprovalStore(db);
      const at = new Date('2026-11-22T10:00:00.123Z');
      const a = await store.createApproval({ runId: 3, stepId: 'restart', action: 'retry', incidentId: 7, fingerprint: 'f'.repeat(64), requestedBy: 'U0ALICE', requestedAt: at, expiresAt: new Date(at.getTime() + 600_000) });
      expect(await store.getApproval(a.id)).toEqual({ ...a, state: 'pending', decidedBy: null, decidedAt: null });
      expect(a).toMatchObject({ runId: 3, incidentId: 7, requestedAt: at, action: 'retry' });
      const wins = await Promise.all([store.moveApproval(a.id, 'pending', 'approved', 'U0BOB', at), store.moveApproval(a.id, 'pending', 'rejected', 'U0CAROL', at)]);
      expect(wins.filter(Boolean)).toHaveLength(1);
      const decided = (await store.getApproval(a.id))!;
      expect(decided.decidedAt).toEqual(at);
      if (decided.state === 'approved') {
        expect(await store.moveApproval(a.id, 'approved', 'used', null, at)).toBe(true);
        expect(await store.moveApproval(a.id, 'approved', 'used', null, at)).toBe(false);
        expect(await store.getApproval(a.id)).toMatchObject({ state: 'used', decidedBy: 'U0BOB' });
      } else expect(decided).toMatchObject({ state: 'rejected', decidedBy: 'U0CAROL' });
      expect(await store.getApproval(a.id + 1000)).toBeUndefined();
    } finally {
      await db.close();
      await fresh.drop();
    }
  });

  it('overdue: only pending requests whose time ran out, oldest first', async () => {
    const fresh = await engine.fresh();
    const db = await fresh.open();
    try {
      const store = new KyselyApprovalStore(db);
      const at = new Date('2026-11-22T10:00:00Z');
      const make = (minutes: number) => store.createApproval({ runId: 1, stepId: `s${minutes}`, action: 'run', incidentId: 1, fingerprint: 'f'.repeat(64), requestedBy: 'U0ALICE', requestedAt: at, expiresAt: new Date(at.getTime() + minutes * 60_000) });
      const ten = await make(10);
      const five = await make(5);
      const decided = await make(1);
      await store.moveApproval(decided.id, 'pending', 'approved', 'U0BOB', at);
      expect(await store.overdue(new Date(at.getTime() + 4 * 60_000), 10)).toEqual([]);
      expect((await store.overdue(new Date(at.getTime() + 6 * 60_000), 10)).map((a) => a.id)).toEqual([five.id]);
      expect((await store.overdue(new Date(at.getTime() + 11 * 60_000), 10)).map((a) => a.id)).toEqual([five.id, ten.id]);
    } finally {
      await db.close();
      await fresh.drop();
    }
  });

  it('chat refs: a key finds its message, a message finds its keys, a key moves', async () => {
    const fresh = await engine.fresh();
    const db = await fresh.open();
    try {
      const refs = new KyselyChatRefs(db);
      await refs.put('run:1', 'C0INCIDENTS', '1700000000.000100');
      await refs.put('out:1/ping/1', 'C0INCIDENTS', '1700000000.000200');
      expect(await refs.get('run:1')).toEqual({ key: 'run:1', channel: 'C0INCIDENTS', ts: '1700000000.000100' });
      expect(await refs.keysOf('C0INCIDENTS', '1700000000.000200')).toEqual(['out:1/ping/1']);
      expect(await refs.keysOf('C0OTHER', '1700000000.000200')).toEqual([]);
      await refs.put('run:1', 'C0INCIDENTS', '1700000000.000300');
      expect(await refs.keysOf('C0INCIDENTS', '1700000000.000100')).toEqual([]);
      expect((await refs.get('run:1'))?.ts).toBe('1700000000.000300');
    } finally {
      await db.close();
      await fresh.drop();
    }
  });
});
