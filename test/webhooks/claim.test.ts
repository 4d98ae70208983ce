import { createLogger } from '../../src/logger';
import { loadConfig } from '../../src/config';
import type { Db } from '../../src/store/db';
import { openDatabase } from '../../src/store/open';
import { webhooksRepo } from '../../src/store/repos/webhooks';
import { WebhookDeliverer } from '../../src/services/webhook-delivery';
import { backend, createTestDb, type TestDb } from '../helpers/test-db';
import { startReceiver, until, type Receiver } from '../helpers/webhook-receiver';

const EVENTS = 40;
const settings = loadConfig({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_MS: '10', WEBHOOK_RETRY_BASE_MS: '50' });

describe(`claiming deliveries on ${backend}`, () => {
  let t: TestDb;
  /** A second handle on the same database: on Postgres its own pool, as a second process has. */
  let other: Db;
  let r: Receiver;

  beforeAll(async () => {
    t = await createTestDb();
    other = backend === 'postgres' ? await openDatabase(t.options) : t.db;
    r = await startReceiver();
    await webhooksRepo.insert(t.db, { url: r.url, events: ['student.erased'], secret: 'whsec_claim_test_0123456789', createdBy: 'test' });
  });
  afterAll(async () => {
    await r.close();
    if (other !== t.db) await other.close();
    await t.cleanup();
  });

  const emit = (count: number) =>
    t.db.transaction(async (tx) => {
      for (let i = 0; i < count; i++) await webhooksRepo.emit(tx, 'student.erased', { student_id: `C${i}` });
    });

  (backend === 'postgres' ? test : test.skip)('a claim skips rows another transaction holds instead of waiting for them', async () => {
    await emit(10);
    const [held, skipped] = await t.db.transaction(async (tx) => {
      const mine = await webhooksRepo.claimDue(tx, 4, 60_000);
      // Still inside the first transaction: its four rows are locked.
      const theirs = await webhooksRepo.claimDue(other, 100, 60_000);
      return [mine, theirs];
    });
    expect(held).toHaveLength(4);
    expect(skipped).toHaveLength(6);
    expect(held.filter((h) => skipped.some((s) => s.id === h.id))).toEqual([]);
    // Both claims hold their rows for the lease: nothing is due now.
    expect(await webhooksRepo.claimDue(t.db, 100, 60_000)).toEqual([]);
    await t.db.query('DELETE FROM webhook_events');
  });

  test('two deliverers working at once send every event exactly once', async () => {
    await emit(EVENTS);
    const log = createLogger('silent');
    const a = new WebhookDeliverer(t.db, settings, log);
    const b = new WebhookDeliverer(other, settings, log);
    a.start();
    b.start();
    try {
      await until('every event', async () => {
        const [{ n }] = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'delivered'");
        return n === EVENTS;
      });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    const ids = r.received.map((x) => String(x.headers['x-rollcall-event-id']));
    expect(ids).toHaveLength(EVENTS);
    expect(new Set(ids).size).toBe(EVENTS);
    const [{ max }] = await t.db.query<{ max: number }>('SELECT max(attempts)::int AS max FROM webhook_deliveries');
    expect(max).toBe(1);
  });

  test('stop() waits for the send in flight to finish and record its attempt', async () => {
    const slow = await startReceiver(() => 'hang');
    try {
      await webhooksRepo.insert(t.db, { url: slow.url, events: ['session.recorded'], secret: 'whsec_claim_test_0123456789', createdBy: 'test' });
      await t.db.transaction((tx) => webhooksRepo.emit(tx, 'session.recorded', { session_id: 'x' }));
      const d = new WebhookDeliverer(t.db, { ...settings, webhookTimeoutMs: 300 }, createLogger('silent'));
      d.start();
      await until('the request', () => slow.received.length === 1);
      await d.stop();
      const [row] = await t.db.query<{ attempts: number; last_error: string; claim: string | null }>(
        "SELECT d.attempts, d.last_error, d.claim FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE e.type = 'session.recorded'",
      );
      expect(row).toEqual({ attempts: 1, last_error: 'no answer within 300 ms', claim: null });
      expect(slow.received).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });
});
