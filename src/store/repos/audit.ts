import type { Queryable } from '../db';

export interface AuditEntry {
  actor: string;
  /** The signed-in user who acted (null for service keys and the CLI). */
  actorUserId?: string | null;
  action: string;
  entity: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  note?: string | null;
}

export const auditRepo = {
  async add(q: Queryable, e: AuditEntry): Promise<void> {
    await q.query(
      `INSERT INTO audit_log (actor, action, entity, entity_id, before, after, note, actor_user_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [e.actor, e.action, e.entity, e.entityId, JSON.stringify(e.before ?? null), JSON.stringify(e.after ?? null), e.note ?? null, e.actorUserId ?? null],
    );
  },

  /** Audit rows about one student's attendance: personal data that goes with the student. */
  async forgetStudent(q: Queryable, studentId: string): Promise<void> {
    await q.query(`DELETE FROM audit_log WHERE entity = 'attendance' AND after->>'student_id' = $1`, [studentId]);
  },

  /** Newest first by id, which is the order rows were written in: stable across pages. */
  async page(q: Queryable, f: AuditFilter) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.actor !== undefined) add('actor = ?', f.actor);
    if (f.action !== undefined) add('action = ?', f.action);
    if (f.entity !== undefined) add('entity = ?', f.entity);
    if (f.entity_id !== undefined) add('entity_id = ?', f.entity_id);
    if (f.since) add('at >= ?', f.since);
    if (f.until) add('at < ?', f.until);
    if (f.before !== undefined) add('id < ?::bigint', f.before);
    params.push(f.limit);
    return q.query<{ id: string; at: Date; actor: string; action: string; entity: string; entity_id: string; before: unknown; after: unknown; note: string | null }>(
      `SELECT id::text, at, actor, action, entity, entity_id, before, after, note FROM audit_log
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
  },

  async forEntity(q: Queryable, entity: string, entityId: string) {
    return q.query<{ at: Date; actor: string; action: string; before: unknown; after: unknown; note: string | null }>(
      'SELECT at, actor, action, before, after, note FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id',
      [entity, entityId],
    );
  },
};

export interface AuditFilter {
  actor?: string;
  action?: string;
  entity?: string;
  entity_id?: string;
  since?: Date;
  until?: Date;
  /** Only rows older than this id (the previous page's last). */
  before?: string;
  limit: number;
}
