import type { Queryable } from '../db';

export interface WebhookRow {
  id: string;
  url: string;
  events: string[];
  secret: string;
  paused: boolean;
  created_by: string;
  created_at: Date;
}

/** A delivery claimed for sending, with what it takes to send it. */
export interface ClaimedDelivery {
  id: string;
  claim: string;
  attempts: number;
  url: string;
  secret: string;
  event_id: string;
  type: string;
  data: unknown;
  event_at: Date;
}

export interface DeliveryRow {
  id: string;
  event_id: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

const isUuid = (id: string) => /^[0-9a-f-]{36}$/i.test(id);

export const webhooksRepo = {
  async insert(q: Queryable, w: { url: string; events: string[]; secret: string; createdBy: string }): Promise<WebhookRow> {
    const [row] = await q.query<WebhookRow>(
      'INSERT INTO webhooks (url, events, secret, created_by) VALUES ($1, $2, $3, $4) RETURNING *',
      [w.url, w.events, w.secret, w.createdBy],
    );
    return row;
  },

  async list(q: Queryable): Promise<WebhookRow[]> {
    return q.query<WebhookRow>('SELECT * FROM webhooks ORDER BY created_at, id');
  },

  async get(q: Queryable, id: string): Promise<WebhookRow | null> {
    if (!isUuid(id)) return null;
    return (await q.query<WebhookRow>('SELECT * FROM webhooks WHERE id = $1', [id]))[0] ?? null;
  },

  async setPaused(q: Queryable, id: string, paused: boolean): Promise<WebhookRow | null> {
    if (!isUuid(id)) return null;
    return (await q.query<WebhookRow>('UPDATE webhooks SET paused = $2 WHERE id = $1 RETURNING *', [id, paused]))[0] ?? null;
  },

  /** Deletes the endpoint and its deliveries; events no other endpoint still needs go too. */
  async delete(q: Queryable, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows = await q.query('DELETE FROM webhooks WHERE id = $1 RETURNING id', [id]);
    await q.query('DELETE FROM webhook_events e WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)');
    return rows.length > 0;
  },

  /** Whether any active endpoint wants events of this type (so a payload is worth building). */
  async subscribed(q: Queryable, type: string): Promise<boolean> {
    const rows = await q.query('SELECT 1 FROM webhooks WHERE $1 = ANY (events) AND NOT paused LIMIT 1', [type]);
    return rows.length > 0;
  },

  /**
   * The outbox: records an event with one pending delivery per active endpoint subscribed to its
   * type, in the caller's transaction. Nothing is stored when no endpoint wants the event.
   */
  async emit(q: Queryable, type: string, data: unknown): Promise<void> {
    await q.query(
      `WITH targets AS (SELECT id FROM webhooks WHERE $1 = ANY (events) AND NOT paused),
       ev AS (INSERT INTO webhook_events (type, data) SELECT $1, $2::jsonb WHERE EXISTS (SELECT 1 FROM targets) RETURNING id)
       INSERT INTO webhook_deliveries (webhook_id, event_id) SELECT t.id, ev.id FROM targets t CROSS JOIN ev`,
      [type, JSON.stringify(data)],
    );
  },

  /**
   * Claims up to `limit` due deliveries of active endpoints for `leaseMs`: their next attempt moves
   * past the lease and a fresh claim id is set, so no other process takes them meanwhile. SKIP
   * LOCKED lets several processes claim at once without waiting for or sharing each other's rows.
   */
  async claimDue(q: Queryable, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    return q.query<ClaimedDelivery>(
      `WITH due AS (
         SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND NOT w.paused
         ORDER BY d.next_attempt_at, d.id LIMIT $1
         FOR UPDATE OF d SKIP LOCKED)
       UPDATE webhook_deliveries d SET claim = gen_random_uuid(), next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
       FROM due, webhooks w, webhook_events e
       WHERE d.id = due.id AND w.id = d.webhook_id AND e.id = d.event_id
       RETURNING d.id::text, d.claim, d.attempts, w.url, w.secret, e.id AS event_id, e.type, e.data, e.created_at AS event_at`,
      [limit, leaseMs],
    );
  },

  /** Records one attempt's outcome; ignored when the claim has since passed to another process. */
  async recordAttempt(
    q: Queryable,
    d: { id: string; claim: string },
    outcome: { status: 'pending' | 'delivered' | 'failed'; statusCode: number | null; error: string | null; nextAttemptAt: Date | null },
  ): Promise<void> {
    await q.query(
      `UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1, last_attempt_at = now(),
         last_status_code = $4, last_error = $5, next_attempt_at = $6, claim = NULL,
         delivered_at = CASE WHEN $3 = 'delivered' THEN now() END
       WHERE id = $1 AND claim = $2`,
      [d.id, d.claim, outcome.status, outcome.statusCode, outcome.error, outcome.nextAttemptAt],
    );
  },

  async deliveries(q: Queryable, webhookId: string, limit: number): Promise<DeliveryRow[]> {
    return q.query<DeliveryRow>(
      `SELECT d.id::text, d.event_id, e.type AS event, d.status, d.attempts,
              CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at,
              d.last_attempt_at, d.last_status_code, d.last_error, d.delivered_at, e.created_at
       FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
       WHERE d.webhook_id = $1 ORDER BY e.created_at DESC, d.id DESC LIMIT $2`,
      [webhookId, limit],
    );
  },

  /** Forgets events older than `days` whose deliveries are all finished (delivered or given up). */
  async deleteFinishedOlderThan(q: Queryable, days: number): Promise<number> {
    const rows = await q.query(
      `DELETE FROM webhook_events e WHERE e.created_at < now() - make_interval(days => $1)
       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'pending') RETURNING id`,
      [days],
    );
    return rows.length;
  },
};
