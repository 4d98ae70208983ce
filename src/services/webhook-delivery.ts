import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Db } from '../store/db';
import { webhooksRepo, type ClaimedDelivery } from '../store/repos/webhooks';
import { nextAttemptAt } from '../webhooks/backoff';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, eventBody } from '../webhooks/events';
import { sendWebhook } from '../webhooks/send';
import { SIGNATURE_HEADER, signatureHeader } from '../webhooks/signature';

/** Deliveries claimed and sent at once by one process. */
const BATCH = 10;
/** A claim outlives the send's timeout by this much before another process may retry it. */
const LEASE_MARGIN_MS = 30_000;

export type DeliverySettings = Pick<Config, 'webhookAllowPrivate' | 'webhookTimeoutMs' | 'webhookRetryBaseMs' | 'webhookRetryHours' | 'webhookPollMs'>;

/**
 * Sends the outbox: every service process runs one. Each round claims due deliveries, sends them
 * concurrently and records each attempt; a failure is retried with exponential backoff until
 * WEBHOOK_RETRY_HOURS after the event. Nothing here runs inside a user's request.
 */
export class WebhookDeliverer {
  private stopping = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(private readonly db: Db, private readonly settings: DeliverySettings, private readonly log: Logger) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops claiming, lets the sends in flight finish and record their outcome. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  /** One round: claims a batch of due deliveries and sends them. Returns how many were attempted. */
  async deliverDue(): Promise<number> {
    const claimed = await webhooksRepo.claimDue(this.db, BATCH, this.settings.webhookTimeoutMs + LEASE_MARGIN_MS);
    await Promise.all(claimed.map((d) => this.attempt(d)));
    return claimed.length;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      let sent = 0;
      try {
        sent = await this.deliverDue();
      } catch (e) {
        this.log.error('webhook delivery round failed', { error: String(e) });
      }
      // A full batch suggests more are due: go again at once.
      if (sent < BATCH) await sleep(this.settings.webhookPollMs, undefined, { signal }).catch(() => undefined);
    }
  }

  private async attempt(d: ClaimedDelivery): Promise<void> {
    const body = eventBody({ id: d.event_id, type: d.type, created_at: d.event_at, data: d.data });
    const headers = {
      [SIGNATURE_HEADER]: signatureHeader(d.secret, body, Math.floor(Date.now() / 1000)),
      [EVENT_ID_HEADER]: d.event_id,
      [EVENT_TYPE_HEADER]: d.type,
      'user-agent': 'Rollcall-Webhooks/1',
    };
    const result = await sendWebhook(d.url, body, headers, {
      timeoutMs: this.settings.webhookTimeoutMs,
      allowPrivate: this.settings.webhookAllowPrivate,
    });
    if (result.ok) {
      await webhooksRepo.recordAttempt(this.db, d, { status: 'delivered', statusCode: result.status, error: null, nextAttemptAt: null });
      return;
    }
    const next = nextAttemptAt(d.attempts + 1, d.event_at, new Date(), this.settings.webhookRetryBaseMs, this.settings.webhookRetryHours * 3600_000);
    await webhooksRepo.recordAttempt(this.db, d, { status: next ? 'pending' : 'failed', statusCode: result.status, error: result.error, nextAttemptAt: next });
    this.log.warn(next ? 'webhook delivery failed, will retry' : 'webhook delivery given up', {
      delivery: d.id,
      event: d.event_id,
      attempts: d.attempts + 1,
      error: result.error,
      ...(next ? { next_attempt_at: next.toISOString() } : {}),
    });
  }
}
