/** The events an endpoint may subscribe to. */
export const WEBHOOK_EVENTS = ['session.recorded', 'session.photo_added', 'attendance.corrected', 'student.erased'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** Header naming the event's id: the same on every retry, for the receiver to de-duplicate. */
export const EVENT_ID_HEADER = 'X-Rollcall-Event-Id';
export const EVENT_TYPE_HEADER = 'X-Rollcall-Event';

/** A delivery's body: the envelope is the same for every type; `data` is the type's payload. */
export function eventBody(e: { id: string; type: string; created_at: Date; data: unknown }): string {
  return JSON.stringify({ id: e.id, type: e.type, created_at: e.created_at.toISOString(), data: e.data });
}
