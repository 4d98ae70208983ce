import crypto from 'node:crypto';
import type { Db } from '../store/db';
import { webhooksRepo, type WebhookRow } from '../store/repos/webhooks';
import { auditRepo } from '../store/repos/audit';
import { notFound } from '../errors';
import { WEBHOOK_EVENTS } from '../webhooks/events';
import { isProblem, parseTarget, resolveTarget } from '../webhooks/target';
import { z } from 'zod';
import { invalidField, optionalText, parseInput, text } from './validate';

/** Deliveries shown per endpoint, newest first. */
const DELIVERIES_SHOWN = 200;
const MIN_SECRET = 16;

export { WEBHOOK_EVENTS };

const view = (w: WebhookRow) => ({ id: w.id, url: w.url, events: w.events, paused: w.paused, created_at: w.created_at });

const NewWebhook = z.object({ url: text(2000), secret: optionalText(200) });

/** Admin management of webhook endpoints; the secret is shown once, when the endpoint is created. */
export class WebhooksService {
  constructor(private readonly db: Db, private readonly allowPrivate: boolean) {}

  async create(body: unknown, actor: string) {
    const fields = parseInput(NewWebhook, body);
    const url = parseTarget(fields.url);
    if (isProblem(url)) throw invalidField('url', url.problem, url.message);
    const events = eventsOf((body as Record<string, unknown>).events);
    const given = fields.secret;
    if (given !== null && given.length < MIN_SECRET) throw invalidField('secret', 'length', `"secret" must be at least ${MIN_SECRET} characters`);
    // Checked at registration for an early answer, and again at each delivery (DNS may change).
    const resolved = await resolveTarget(url, this.allowPrivate);
    if (isProblem(resolved)) throw invalidField('url', resolved.problem, resolved.message);
    const secret = given ?? `whsec_${crypto.randomBytes(32).toString('base64url')}`;
    const row = await this.db.transaction(async (tx) => {
      const w = await webhooksRepo.insert(tx, { url: url.href, events, secret, createdBy: actor });
      await auditRepo.add(tx, { actor, action: 'create_webhook', entity: 'webhook', entityId: w.id, after: view(w) });
      return w;
    });
    return { ...view(row), secret };
  }

  async list() {
    return (await webhooksRepo.list(this.db)).map(view);
  }

  /** Pausing holds the endpoint's pending deliveries and queues no new events for it until resumed. */
  async update(id: string, body: unknown, actor: string) {
    const paused = (body as Record<string, unknown> | null)?.paused;
    if (typeof paused !== 'boolean') throw invalidField('paused', 'type', '"paused" must be true or false');
    return this.db.transaction(async (tx) => {
      const w = await webhooksRepo.setPaused(tx, id, paused);
      if (!w) throw notFound(`webhook ${id}`);
      await auditRepo.add(tx, { actor, action: paused ? 'pause_webhook' : 'resume_webhook', entity: 'webhook', entityId: w.id });
      return view(w);
    });
  }

  async delete(id: string, actor: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (!(await webhooksRepo.delete(tx, id))) throw notFound(`webhook ${id}`);
      await auditRepo.add(tx, { actor, action: 'delete_webhook', entity: 'webhook', entityId: id });
    });
  }

  async deliveries(id: string) {
    if (!(await webhooksRepo.get(this.db, id))) throw notFound(`webhook ${id}`);
    return webhooksRepo.deliveries(this.db, id, DELIVERIES_SHOWN);
  }
}

function eventsOf(v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0) throw invalidField('events', 'missing', `"events" must be a non-empty list of ${WEBHOOK_EVENTS.join(', ')}`);
  const unknown = v.filter((e) => !(WEBHOOK_EVENTS as readonly unknown[]).includes(e));
  if (unknown.length > 0) throw invalidField('events', 'enum', `unknown event ${JSON.stringify(unknown[0])}: the events are ${WEBHOOK_EVENTS.join(', ')}`);
  return [...new Set(v as string[])];
}
