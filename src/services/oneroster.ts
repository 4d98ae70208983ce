import type { Db, Queryable } from '../store/db';
import { oneRosterRepo } from '../store/repos/oneroster';
import { auditRepo } from '../store/repos/audit';
import { studentsRepo } from '../store/repos/students';
import { signInSessionsRepo } from '../store/repos/sign-in-sessions';
import { readOneRosterBundle } from '../roster/oneroster/read-bundle';
import { invalidBundle } from '../roster/oneroster/problems';
import { planImport, snapshotKeys, type ImportCounts, type ImportPlan } from './oneroster-plan';
import { auditActor } from './principal';
import type { Actor } from './users';

export interface OneRosterReport extends ImportCounts {
  dry_run: boolean;
  version: '1.1' | '1.2';
  /** How each file was sent: bulk, delta or absent. */
  modes: { classes: string; users: string; enrollments: string };
}

/**
 * Imports a OneRoster CSV bundle (see docs/oneroster.md): all or nothing, in one transaction that
 * also holds the import lock, so the database is read and written as one consistent step.
 */
export class OneRosterService {
  constructor(private readonly db: Db, private readonly maxUncompressedBytes: number) {}

  async import(zip: Buffer, filename: string, opts: { dryRun: boolean; by: Actor }): Promise<OneRosterReport> {
    const bundle = await readOneRosterBundle(zip, filename, this.maxUncompressedBytes);
    return this.db.transaction(async (tx) => {
      await oneRosterRepo.lock(tx);
      const plan = planImport(bundle, await oneRosterRepo.snapshot(tx, snapshotKeys(bundle)));
      if (plan.problems.length > 0) throw invalidBundle(plan.problems);
      const report = { dry_run: opts.dryRun, version: bundle.version, modes: bundle.modes, ...plan.counts };
      if (opts.dryRun) return report;
      await apply(tx, plan);
      const { dry_run: _, ...after } = report;
      await auditRepo.add(tx, { ...auditActor(opts.by), action: 'import_oneroster', entity: 'school', entityId: 'oneroster', after });
      return report;
    });
  }
}

/** Records first, so that links can find their class and person by sourcedId. */
async function apply(tx: Queryable, plan: ImportPlan): Promise<void> {
  await oneRosterRepo.updateClasses(tx, plan.classes.update);
  await oneRosterRepo.insertClasses(tx, plan.classes.insert);
  await oneRosterRepo.updateStudents(tx, plan.students.update);
  await oneRosterRepo.insertStudents(tx, plan.students.insert);
  await oneRosterRepo.updateTeachers(tx, plan.teachers.update);
  await oneRosterRepo.insertTeachers(tx, plan.teachers.insert);
  for (const kind of ['members', 'teachers'] as const) {
    await oneRosterRepo.deleteLinks(tx, kind, plan.links[kind].remove);
    await oneRosterRepo.upsertLinks(tx, kind, plan.links[kind].upsert);
  }
  // A student the school deleted is erased as DELETE /students/:id erases one: biometrics included.
  for (const s of plan.students.erase) {
    await auditRepo.forgetStudent(tx, s.studentId);
    await studentsRepo.delete(tx, s.id);
  }
  await oneRosterRepo.disableUsers(tx, plan.teachers.disable);
  for (const id of plan.teachers.disable) await signInSessionsRepo.deleteForUser(tx, id);
}
