import type { Queryable } from '../db';

export type ConsentState = 'granted' | 'refused' | 'unknown';

/** The current consent as read beside a student row (see CONSENT_COLUMNS). */
export interface ConsentColumns {
  consent_state: ConsentState;
  consent_at: Date | null;
  consent_by: string | null;
  consent_note: string | null;
}

export interface ConsentRecord {
  state: ConsentState;
  recorded_at: Date;
  recorded_by: string;
  source: 'api' | 'roster';
  note: string | null;
}

/** Columns of ConsentColumns for a query over `students s` that adds CONSENT_JOIN. */
export const CONSENT_COLUMNS = `coalesce(cc.state, 'unknown') AS consent_state, cc.recorded_at AS consent_at,
  cc.recorded_by AS consent_by, cc.note AS consent_note`;
export const CONSENT_JOIN = 'LEFT JOIN current_consent cc ON cc.student_pk = s.id';

export const consentRepo = {
  async add(q: Queryable, studentPk: string, r: Omit<ConsentRecord, 'recorded_at'>): Promise<ConsentRecord> {
    const [row] = await q.query<ConsentRecord>(
      `INSERT INTO consent_records (student_pk, state, recorded_by, source, note) VALUES ($1, $2, $3, $4, $5)
       RETURNING state, recorded_at, recorded_by, source, note`,
      [studentPk, r.state, r.recorded_by, r.source, r.note],
    );
    return row;
  },

  async current(q: Queryable, studentPk: string): Promise<ConsentState> {
    const rows = await q.query<{ state: ConsentState }>('SELECT state FROM current_consent WHERE student_pk = $1', [studentPk]);
    return rows[0]?.state ?? 'unknown';
  },

  /** Every decision about the student, oldest first. */
  async history(q: Queryable, studentPk: string): Promise<ConsentRecord[]> {
    return q.query(
      'SELECT state, recorded_at, recorded_by, source, note FROM consent_records WHERE student_pk = $1 ORDER BY id',
      [studentPk],
    );
  },
};
