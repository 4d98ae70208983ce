import type { Db } from '../store/db';
import { auditRepo } from '../store/repos/audit';
import { sessionsRepo } from '../store/repos/sessions';
import { webhooksRepo } from '../store/repos/webhooks';

/** Days a webhook event and its delivery log are kept (GET …/deliveries), unless still being retried. */
export const WEBHOOK_EVENT_DAYS = 30;

export interface RetentionPolicy {
  /** Attendance sessions older than this many days are deleted (0 = kept). */
  sessionDays: number;
  /** Stored classroom photos (STORE_PHOTOS=true) are blanked after this many days (0 = kept). */
  photoDays: number;
  /** Unnamed faces' embeddings (kept for review) are erased after this many days (0 = not kept at all). */
  reviewDays: number;
}

/**
 * Deletes what the retention settings say is no longer needed. Idempotent and safe to run from
 * every process at once: each run is a few set-based statements.
 */
export class RetentionService {
  constructor(private readonly db: Db, private readonly policy: RetentionPolicy) {}

  async purge(): Promise<{ sessions: number; photos: number; embeddings: number }> {
    return this.db.transaction(async (tx) => {
      const sessions = this.policy.sessionDays > 0 ? await sessionsRepo.deleteOlderThan(tx, this.policy.sessionDays) : 0;
      const photos = this.policy.photoDays > 0 ? await sessionsRepo.blankPhotosOlderThan(tx, this.policy.photoDays) : 0;
      const embeddings = await sessionsRepo.eraseDetectionEmbeddingsOlderThan(tx, this.policy.reviewDays);
      if (sessions + photos + embeddings > 0) {
        await auditRepo.add(tx, { actor: 'retention', action: 'purge', entity: 'retention', entityId: 'all', after: { sessions, photos, embeddings } });
      }
      return { sessions, photos, embeddings };
    });
  }

  /** Forgets webhook events older than WEBHOOK_EVENT_DAYS whose deliveries have all finished. */
  async purgeWebhookEvents(): Promise<number> {
    return webhooksRepo.deleteFinishedOlderThan(this.db, WEBHOOK_EVENT_DAYS);
  }
}
