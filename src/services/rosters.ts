import type { Db } from '../store/db';
import { classesRepo } from '../store/repos/classes';
import { studentsRepo } from '../store/repos/students';
import { auditRepo } from '../store/repos/audit';
import { unprocessable } from '../errors';
import { parseRoster } from '../roster/read-roster';
import type { RosterProblem } from '../roster/types';
import type { ClassesService } from './classes';
import type { ConsentService } from './consent';

/** Rows per roster file; beyond it the file is refused rather than slowly half-read. */
export const MAX_ROSTER_ROWS = 10_000;

export interface ImportReport {
  dry_run: boolean;
  sheet: string;
  header_row: number;
  added: number;
  updated: number;
  removed: number;
  total: number;
  changes: {
    added: string[];
    updated: { student_id: string; from: string; to: string }[];
    removed: string[];
    /** Consent decisions of the Consent column that differ from the students' current ones. */
    consent: { student_id: string; state: 'granted' | 'refused'; erased_faces: number }[];
  };
}

export class RostersService {
  constructor(
    private readonly db: Db,
    private readonly classes: ClassesService,
    private readonly consent: ConsentService,
  ) {}

  /**
   * Makes the class roster equal to the file, all or nothing. New students are created, names of
   * students already in this class are updated, students no longer listed leave the class (not the
   * school). A student ID that already belongs to a different name outside this class is a
   * conflict reported with its row: it is never overwritten silently. A Consent column's yes/no is
   * recorded (a refusal erasing faces) where it differs from the student's current consent.
   */
  async import(classIdOrCode: string, file: Buffer, filename: string, opts: { dryRun: boolean; sheet?: string; actor: string }): Promise<ImportReport> {
    const cls = await this.classes.get(classIdOrCode);
    const parsed = await parseRoster(file, filename, { sheet: opts.sheet, maxRows: MAX_ROSTER_ROWS });
    return this.db.transaction(async (tx) => {
      const current = await classesRepo.roster(tx, cls.id);
      const inClass = new Map(current.map((s) => [s.student_id, s]));
      const existing = new Map((await studentsRepo.byStudentIds(tx, parsed.rows.map((r) => r.studentId))).map((s) => [s.student_id, s]));
      const problems: RosterProblem[] = [];
      const report: ImportReport['changes'] = { added: [], updated: [], removed: [], consent: [] };
      const pkOf = new Map<string, string>();
      const memberPks: string[] = [];
      const toCreate = [];
      for (const r of parsed.rows) {
        const known = existing.get(r.studentId);
        if (!known) {
          toCreate.push(r);
          report.added.push(r.studentId);
        } else if (known.name !== r.name && !inClass.has(r.studentId)) {
          problems.push({ row: r.row, column: 'Name', problem: `student ${r.studentId} is already enrolled as "${known.name}" (another class); fix the name or the ID` });
        } else {
          if (!inClass.has(r.studentId)) report.added.push(r.studentId);
          if (known.name !== r.name) report.updated.push({ student_id: r.studentId, from: known.name, to: r.name });
          memberPks.push(known.id);
          pkOf.set(r.studentId, known.id);
          if (!opts.dryRun && (known.name !== r.name || (r.email !== null && r.email !== known.email))) {
            await studentsRepo.update(tx, known.id, r.name, r.email ?? known.email);
          }
        }
      }
      if (problems.length > 0) {
        throw unprocessable('invalid_roster', `the roster has ${problems.length} problem(s); nothing was changed`, problems);
      }
      const listed = new Set(parsed.rows.map((r) => r.studentId));
      const leaving = current.filter((s) => !listed.has(s.student_id));
      report.removed = leaving.map((s) => s.student_id);
      if (!opts.dryRun) {
        for (const r of toCreate) {
          const row = await studentsRepo.insert(tx, r.studentId, r.name, r.email);
          memberPks.push(row!.id);
          pkOf.set(r.studentId, row!.id);
        }
        await classesRepo.addMembers(tx, cls.id, memberPks);
        for (const r of parsed.rows) {
          if (!r.consent) continue;
          const applied = await this.consent.applyIfChanged(tx, { id: pkOf.get(r.studentId)!, student_id: r.studentId }, { state: r.consent, note: null, actor: opts.actor, source: 'roster' });
          if (applied) report.consent.push({ student_id: r.studentId, state: r.consent, erased_faces: applied.erased });
        }
        await classesRepo.removeMembers(tx, cls.id, leaving.map((s) => s.pk));
        await auditRepo.add(tx, {
          actor: opts.actor,
          action: 'import_roster',
          entity: 'class',
          entityId: cls.id,
          after: { added: report.added.length, updated: report.updated.length, removed: report.removed.length, consent: report.consent.length, total: parsed.rows.length },
        });
      }
      return {
        dry_run: opts.dryRun,
        sheet: parsed.sheet,
        header_row: parsed.headerRow,
        added: report.added.length,
        updated: report.updated.length,
        removed: report.removed.length,
        total: parsed.rows.length,
        changes: report,
      };
    });
  }
}
