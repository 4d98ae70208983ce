import type { Db } from '../store/db';
import { auditRepo } from '../store/repos/audit';

export interface RetentionPolicy {
  /** Attendance sessions older than this many days are deleted (0 = kept). */
  sessionDays: number;
  /** Stored classroom photos (STORE_PHOTOS=true) are blanked after this many days (0 = kept). */
  photoDays: number;
}

/**
 * Deletes what the retention settings say is no longer needed. Idempotent and safe to run from
 * every process at once: each run is a pair of set-based statements.
 */
export class RetentionService {
  constructor(private readonly db: Db, private readonly policy: RetentionPolicy) {}

  async purge(): Promise<{ sessions: number; photos: number }> {
    return this.db.transaction(async (tx) => {
      let sessions = 0;
      let photos = 0;
      if (this.policy.sessionDays > 0) {
        sessions = (
          await tx.query(`DELETE FROM attendance_sessions WHERE taken_at < now() - make_interval(days => $1) RETURNING id`, [this.policy.sessionDays])
        ).length;
      }
      if (this.policy.photoDays > 0) {
        photos = (
          await tx.query(
            `UPDATE session_photos SET photo = NULL WHERE photo IS NOT NULL AND created_at < now() - make_interval(days => $1) RETURNING id`,
            [this.policy.photoDays],
          )
        ).length;
      }
      if (sessions + photos > 0) {
        await auditRepo.add(tx, { actor: 'retention', action: 'purge', entity: 'retention', entityId: 'all', after: { sessions, photos } });
      }
      return { sessions, photos };
    });
  }
}
