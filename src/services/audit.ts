import type { Db } from '../store/db';
import { auditRepo, type AuditFilter } from '../store/repos/audit';
import { z } from 'zod';
import { invalidField, optionalNumber, parseInput } from './validate';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;
const TEXT_FILTERS = ['actor', 'action', 'entity', 'entity_id'] as const;
const KNOWN = new Set<string>([...TEXT_FILTERS, 'since', 'until', 'limit', 'cursor']);

const Limit = z.object({ limit: optionalNumber(1, MAX_LIMIT) });

function timeOf(v: unknown, field: string): Date | undefined {
  if (v === undefined || v === '') return undefined;
  // An ISO 8601 date or date-time: Date.parse alone would take "3" or "May 1" too.
  const d = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) ? new Date(v) : null;
  if (!d || Number.isNaN(d.getTime())) throw invalidField(field, 'format', `"${field}" must be an ISO 8601 date or date-time, e.g. 2026-09-01T08:00:00Z`);
  return d;
}

/** GET /api/v1/audit's query → a filter; anything unknown or malformed is a 400 naming the field. */
export function auditFilterOf(query: Record<string, unknown>): AuditFilter {
  for (const k of Object.keys(query)) if (!KNOWN.has(k)) throw invalidField(k, 'unknown', `unknown filter "${k}"; use ${[...KNOWN].join(', ')}`);
  const filter: AuditFilter = { limit: parseInput(Limit, { limit: query.limit }).limit ?? DEFAULT_LIMIT };
  if (!Number.isInteger(filter.limit)) throw invalidField('limit', 'type', '"limit" must be a whole number');
  for (const f of TEXT_FILTERS) {
    const v = query[f];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '' || v.length > 200) throw invalidField(f, 'type', `"${f}" must be given once, as 1-200 characters`);
    filter[f] = v;
  }
  filter.since = timeOf(query.since, 'since');
  filter.until = timeOf(query.until, 'until');
  if (query.cursor !== undefined) {
    if (typeof query.cursor !== 'string' || !/^[1-9]\d{0,17}$/.test(query.cursor)) throw invalidField('cursor', 'format', '"cursor" must be the next_cursor of a previous page');
    filter.before = query.cursor;
  }
  return filter;
}

/** The audit log, newest first, a page at a time: next_cursor fetches the following (older) page. */
export class AuditService {
  constructor(private readonly db: Db) {}

  async page(query: Record<string, unknown>) {
    const filter = auditFilterOf(query);
    const rows = await auditRepo.page(this.db, { ...filter, limit: filter.limit + 1 });
    const items = rows.slice(0, filter.limit);
    return { items, next_cursor: rows.length > filter.limit ? items[items.length - 1].id : null };
  }
}
