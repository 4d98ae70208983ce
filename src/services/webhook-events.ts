import type { Queryable } from '../store/db';
import { sessionsRepo } from '../store/repos/sessions';
import { webhooksRepo } from '../store/repos/webhooks';
import type { WebhookEventType } from '../webhooks/events';

/**
 * Writes an event to the webhook outbox in the caller's transaction, so it exists exactly when the
 * change does. The payload is built only when some active endpoint subscribes to the type.
 * Payloads carry IDs and statuses, never names, notes or photos.
 */
export async function emitEvent(tx: Queryable, type: WebhookEventType, build: () => Promise<unknown> | unknown): Promise<void> {
  if (!(await webhooksRepo.subscribed(tx, type))) return;
  await webhooksRepo.emit(tx, type, await build());
}

/** session.recorded (a new session's first photo) or session.photo_added, with every student's status after it. */
export async function emitSessionEvent(
  tx: Queryable,
  type: 'session.recorded' | 'session.photo_added',
  s: { sessionId: string; photoId: string; classId: string; classCode: string },
): Promise<void> {
  await emitEvent(tx, type, async () => ({
    session_id: s.sessionId,
    class_id: s.classId,
    class_code: s.classCode,
    photo_id: s.photoId,
    attendance: (await sessionsRepo.attendance(tx, s.sessionId)).map((a) => ({ student_id: a.student_id, status: a.status })),
  }));
}
