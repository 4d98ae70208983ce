import type { Kind, OneRosterBundle, OneRosterProblem, RosterUser } from '../roster/oneroster/types';
import type { Link, LinkKind, Snapshot, SourcedClass, SourcedStudent, SourcedUser } from '../store/repos/oneroster';

/**
 * What a OneRoster bundle changes, worked out from the bundle and what the database holds now,
 * without touching it (a dry run stops here). Classes, students and teachers are found by
 * sourcedId; one not yet imported is linked to the class with its classCode, the student with its
 * identifier or the user with its email when that one was made by hand, and refused (a problem on
 * its row) when it belongs to another sourcedId. Nothing is deleted for being left out of a bulk
 * file except enrolments: those the import made and the bundle no longer lists are removed.
 */

export interface Counts {
  added: number;
  updated: number;
  removed: number;
}

export interface ImportCounts {
  classes: Counts;
  students: Counts;
  /** removed: disabled (their sign-ins end) and taken off their classes; never deleted. */
  teachers: Counts;
  /** Students in classes. */
  memberships: Counts;
  /** Teachers of classes. */
  assignments: Counts;
  /** Users and enrolments with another role (parent, aide, administrator…): not imported. */
  ignored: { users: number; enrollments: number };
}

export interface LinkPlan {
  upsert: { classSourcedId: string; personSourcedId: string; sourcedId: string }[];
  remove: Link[];
}

export interface ImportPlan {
  classes: { insert: { sourcedId: string; code: string; name: string }[]; update: { id: string; sourcedId: string; code: string; name: string }[] };
  students: {
    insert: { sourcedId: string; studentId: string; name: string; email: string | null }[];
    update: { id: string; sourcedId: string; studentId: string; name: string; email: string | null }[];
    erase: { id: string; studentId: string }[];
  };
  teachers: { insert: { sourcedId: string; email: string; name: string }[]; update: { id: string; sourcedId: string; email: string; name: string }[]; disable: string[] };
  links: Record<LinkKind, LinkPlan>;
  counts: ImportCounts;
  problems: OneRosterProblem[];
}

const zero = (): Counts => ({ added: 0, updated: 0, removed: 0 });
const byKey = <T>(rows: T[], key: (r: T) => string | null) => new Map(rows.flatMap((r) => (key(r) === null ? [] : [[key(r)!, r] as const])));
const CLASSES = 'classes.csv';
const USERS = 'users.csv';
const ENROLLMENTS = 'enrollments.csv';

/** The sourcedIds, class codes, student IDs and emails the bundle names: what to read of the database. */
export function snapshotKeys(b: OneRosterBundle) {
  return {
    classIds: [...new Set([...b.classes.map((c) => c.sourcedId), ...b.enrollments.map((e) => e.classSourcedId)])],
    codes: b.classes.map(classCode),
    userIds: [...new Set([...b.users.map((u) => u.sourcedId), ...b.enrollments.map((e) => e.userSourcedId)])],
    studentIds: b.users.map(studentId),
    emails: b.users.filter((u) => u.email !== '').map((u) => u.email),
  };
}

const classCode = (c: { classCode: string; sourcedId: string }) => c.classCode || c.sourcedId;
const studentId = (u: RosterUser) => u.identifier || u.sourcedId;
const personName = (u: RosterUser) => `${u.givenName} ${u.familyName}`.trim();

export function planImport(b: OneRosterBundle, db: Snapshot): ImportPlan {
  const plan: ImportPlan = {
    classes: { insert: [], update: [] },
    students: { insert: [], update: [], erase: [] },
    teachers: { insert: [], update: [], disable: [] },
    links: { members: { upsert: [], remove: [] }, teachers: { upsert: [], remove: [] } },
    counts: { classes: zero(), students: zero(), teachers: zero(), memberships: zero(), assignments: zero(), ignored: { users: 0, enrollments: 0 } },
    problems: [],
  };
  const problem = (file: string, row: number, column: string, text: string) => plan.problems.push({ file, row, column, problem: text });
  // After the import: the sourcedId of each existing record (by id), and the sourcedIds that exist.
  const classSid = new Map(db.classes.map((c) => [c.id, c.sourced_id]));
  const studentSid = new Map(db.students.map((s) => [s.id, s.sourced_id]));
  const userSid = new Map(db.users.map((u) => [u.id, u.sourced_id]));
  const removedClasses = new Set<string>();
  const removedTeachers = new Set<string>();

  planClasses(b, db.classes, plan, classSid, removedClasses, problem);
  const kinds = userKinds(b);
  planStudents(b, kinds, db.students, plan, studentSid, problem);
  planTeachers(b, kinds, db.users, plan, userSid, removedTeachers, problem);

  const erased = new Set(plan.students.erase.map((e) => e.id));
  const known = {
    classes: new Set([...classSid.values()].filter((s): s is string => s !== null)),
    members: new Set([...studentSid.entries()].filter(([id]) => !erased.has(id)).map(([, s]) => s)),
    teachers: new Set([...userSid.entries()].filter(([id]) => !removedTeachers.has(id)).map(([, s]) => s)),
  };
  for (const c of b.classes) if (c.deleted) known.classes.delete(c.sourcedId);
  const sidOf = { members: studentSid, teachers: userSid };
  const gone = { members: new Set<string>(), teachers: removedTeachers };
  for (const kind of ['members', 'teachers'] as const) {
    const counts = kind === 'members' ? plan.counts.memberships : plan.counts.assignments;
    const existing = db[kind].map((l) => ({ link: l, pair: pairKey(classSid.get(l.class_id), sidOf[kind].get(l.person)) }));
    const byPair = byKey(existing, (e) => e.pair);
    const bySid = byKey(existing, (e) => e.link.sourced_id);
    const wanted = new Map<string, string>();
    const removing = new Map<string, Link>();
    const remove = (l: Link) => removing.set(`${l.class_id}|${l.person}`, l);
    const enrollmentKind: Kind = kind === 'members' ? 'student' : 'teacher';
    for (const e of b.enrollments) {
      const pair = pairKey(e.classSourcedId, e.userSourcedId);
      if (e.deleted) {
        const found = bySid.get(e.sourcedId) ?? (pair === null ? undefined : byPair.get(pair));
        if (found) remove(found.link);
        continue;
      }
      if (e.kind !== enrollmentKind || pair === null) continue;
      if (!known.classes.has(e.classSourcedId)) {
        problem(ENROLLMENTS, e.row, 'classSourcedId', `no class has sourcedId "${e.classSourcedId}" (in classes.csv or from an earlier import)`);
      } else if (!known[kind].has(e.userSourcedId)) {
        const other = known[kind === 'members' ? 'teachers' : 'members'].has(e.userSourcedId);
        if (other) problem(ENROLLMENTS, e.row, 'role', `user "${e.userSourcedId}" is not a ${enrollmentKind}`);
        else problem(ENROLLMENTS, e.row, 'userSourcedId', `no ${enrollmentKind} has sourcedId "${e.userSourcedId}" (in users.csv or from an earlier import)`);
      } else {
        wanted.set(pair, e.sourcedId);
      }
    }
    for (const { link, pair } of existing) {
      if (link.sourced_id === null || (pair !== null && wanted.has(pair))) continue;
      const droppedByBulk = b.modes.enrollments === 'bulk';
      if (droppedByBulk || removedClasses.has(link.class_id) || gone[kind].has(link.person)) remove(link);
    }
    for (const [pair, sourcedId] of wanted) {
      const found = byPair.get(pair);
      if (found?.link.sourced_id === sourcedId) continue;
      const [classSourcedId, personSourcedId] = pair.split('\u0000');
      plan.links[kind].upsert.push({ classSourcedId, personSourcedId, sourcedId });
      if (found) counts.updated++;
      else counts.added++;
    }
    plan.links[kind].remove = [...removing.values()];
    counts.removed = removing.size;
  }
  plan.counts.ignored.enrollments = b.enrollments.filter((e) => e.kind === 'other' && !e.deleted).length;
  return plan;
}

const pairKey = (classSourcedId: string | null | undefined, personSourcedId: string | null | undefined) =>
  classSourcedId && personSourcedId ? `${classSourcedId}\u0000${personSourcedId}` : null;

type Problem = (file: string, row: number, column: string, text: string) => void;

function planClasses(b: OneRosterBundle, rows: SourcedClass[], plan: ImportPlan, classSid: Map<string, string | null>, removed: Set<string>, problem: Problem) {
  const bySid = byKey(rows, (c) => c.sourced_id);
  const byCode = byKey(rows, (c) => c.code);
  const codes = new Map<string, number>();
  for (const c of b.classes) {
    let existing = bySid.get(c.sourcedId);
    if (c.deleted) {
      if (existing) {
        removed.add(existing.id);
        plan.counts.classes.removed++;
      }
      continue;
    }
    const code = classCode(c);
    const column = c.classCode ? 'classCode' : 'sourcedId';
    const owner = byCode.get(code);
    if (codes.has(code)) problem(CLASSES, c.row, column, `class code "${code}" is also on row ${codes.get(code)}`);
    codes.set(code, c.row);
    if (owner && owner.id !== existing?.id && (existing || owner.sourced_id !== null)) {
      problem(CLASSES, c.row, column, `class code "${code}" already belongs to another class${owner.sourced_id ? ` (sourcedId "${owner.sourced_id}")` : ''}`);
      continue;
    }
    existing ??= owner;
    if (!existing) {
      plan.classes.insert.push({ sourcedId: c.sourcedId, code, name: c.title });
      plan.counts.classes.added++;
    } else if (existing.code !== code || existing.name !== c.title || existing.sourced_id !== c.sourcedId) {
      plan.classes.update.push({ id: existing.id, sourcedId: c.sourcedId, code, name: c.title });
      plan.counts.classes.updated++;
    }
    if (existing) classSid.set(existing.id, c.sourcedId);
    else classSid.set(`new:${c.sourcedId}`, c.sourcedId);
  }
}

/** The role of each user: users.csv or roles.csv, else the role of their enrolments (1.2 without roles.csv). */
function userKinds(b: OneRosterBundle): Map<string, Kind> {
  const kinds = new Map<string, Kind>();
  for (const e of b.enrollments) if (!kinds.has(e.userSourcedId) && !e.deleted) kinds.set(e.userSourcedId, e.kind);
  for (const u of b.users) if (u.kind) kinds.set(u.sourcedId, u.kind);
  return kinds;
}

function planStudents(b: OneRosterBundle, kinds: Map<string, Kind>, rows: SourcedStudent[], plan: ImportPlan, studentSid: Map<string, string | null>, problem: Problem) {
  const bySid = byKey(rows, (s) => s.sourced_id);
  const byId = byKey(rows, (s) => s.student_id);
  const ids = new Map<string, number>();
  for (const u of b.users) {
    let existing = bySid.get(u.sourcedId);
    // A tobedeleted row may carry nothing but its sourcedId: what it was is in the database.
    if (u.deleted) {
      if (existing) {
        plan.students.erase.push({ id: existing.id, studentId: existing.student_id });
        plan.counts.students.removed++;
      }
      continue;
    }
    if (kinds.get(u.sourcedId) !== 'student') continue;
    const id = studentId(u);
    const column = u.identifier ? 'identifier' : 'sourcedId';
    const owner = byId.get(id);
    if (ids.has(id)) problem(USERS, u.row, column, `student ID "${id}" is also on row ${ids.get(id)}`);
    ids.set(id, u.row);
    if (owner && owner.id !== existing?.id && (existing || owner.sourced_id !== null)) {
      problem(USERS, u.row, column, `student ID "${id}" already belongs to another student${owner.sourced_id ? ` (sourcedId "${owner.sourced_id}")` : ''}`);
      continue;
    }
    existing ??= owner;
    const name = personName(u);
    const email = u.email || null;
    if (!existing) {
      plan.students.insert.push({ sourcedId: u.sourcedId, studentId: id, name, email });
      plan.counts.students.added++;
      studentSid.set(`new:${u.sourcedId}`, u.sourcedId);
      continue;
    }
    if (existing.student_id !== id || existing.name !== name || existing.email !== email || existing.sourced_id !== u.sourcedId) {
      plan.students.update.push({ id: existing.id, sourcedId: u.sourcedId, studentId: id, name, email });
      plan.counts.students.updated++;
    }
    studentSid.set(existing.id, u.sourcedId);
  }
}

function planTeachers(
  b: OneRosterBundle,
  kinds: Map<string, Kind>,
  rows: SourcedUser[],
  plan: ImportPlan,
  userSid: Map<string, string | null>,
  removed: Set<string>,
  problem: Problem,
) {
  const bySid = byKey(rows, (u) => u.sourced_id);
  const byEmail = byKey(rows, (u) => u.email.toLowerCase());
  const emails = new Map<string, number>();
  for (const u of b.users) {
    let existing = bySid.get(u.sourcedId);
    if (u.deleted) {
      if (existing) {
        removed.add(existing.id);
        if (!existing.disabled) plan.teachers.disable.push(existing.id);
        plan.counts.teachers.removed++;
      }
      continue;
    }
    const kind = kinds.get(u.sourcedId);
    if (kind !== 'teacher') {
      if (kind !== 'student') plan.counts.ignored.users++;
      continue;
    }
    if (u.email === '') {
      problem(USERS, u.row, 'email', 'a teacher needs an email: teachers are matched to the people who sign in by email');
      continue;
    }
    const email = u.email.toLowerCase();
    const owner = byEmail.get(email);
    if (emails.has(email)) problem(USERS, u.row, 'email', `email "${u.email}" is also on row ${emails.get(email)}`);
    emails.set(email, u.row);
    if (owner && owner.id !== existing?.id && (existing || owner.sourced_id !== null)) {
      problem(USERS, u.row, 'email', `email "${u.email}" already belongs to another user${owner.sourced_id ? ` (sourcedId "${owner.sourced_id}")` : ''}`);
      continue;
    }
    existing ??= owner;
    const name = personName(u);
    if (!existing) {
      plan.teachers.insert.push({ sourcedId: u.sourcedId, email: u.email, name });
      plan.counts.teachers.added++;
      userSid.set(`new:${u.sourcedId}`, u.sourcedId);
      continue;
    }
    if (existing.email !== u.email || existing.name !== name || existing.sourced_id !== u.sourcedId) {
      plan.teachers.update.push({ id: existing.id, sourcedId: u.sourcedId, email: u.email, name });
      plan.counts.teachers.updated++;
    }
    userSid.set(existing.id, u.sourcedId);
  }
}
