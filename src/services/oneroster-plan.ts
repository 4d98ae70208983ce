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
  const sids = { members: studentSid, teachers: userSid };
  const gone = { members: new Set<string>(), teachers: removedTeachers };
  for (const kind of ['members', 'teachers'] as const) {
    const other = known[kind === 'members' ? 'teachers' : 'members'];
    plan.links[kind] = planLinks(kind, b, db[kind], { classSid, personSid: sids[kind], classes: known.classes, people: known[kind], other, removedClasses, gone: gone[kind] }, plan.counts[kind === 'members' ? 'memberships' : 'assignments'], problem);
  }
  plan.counts.ignored.enrollments = b.enrollments.filter((e) => e.kind === 'other' && !e.deleted).length;
  return plan;
}

interface LinkContext {
  /** The sourcedId of each class and person (student or user) by id, after the import. */
  classSid: Map<string, string | null>;
  personSid: Map<string, string | null>;
  /** sourcedIds an enrolment may name: classes, people of this kind, people of the other kind. */
  classes: Set<string | null>;
  people: Set<string | null>;
  other: Set<string | null>;
  /** Classes and people whose links from the import go with them. */
  removedClasses: Set<string>;
  gone: Set<string>;
}

/** Student memberships or teacher assignments: which to add, to give a sourcedId, or to remove. */
function planLinks(kind: LinkKind, b: OneRosterBundle, stored: Link[], ctx: LinkContext, counts: Counts, problem: Problem): LinkPlan {
  const existing = stored.map((l) => ({ link: l, pair: pairKey(ctx.classSid.get(l.class_id), ctx.personSid.get(l.person)) }));
  const byPair = byKey(existing, (e) => e.pair);
  const bySid = byKey(existing, (e) => e.link.sourced_id);
  const wanted = new Map<string, string>();
  const removing = new Map<string, Link>();
  const remove = (l: Link) => removing.set(`${l.class_id}|${l.person}`, l);
  const enrollmentKind: Kind = kind === 'members' ? 'student' : 'teacher';
  for (const e of b.enrollments) {
    // A tobedeleted row may leave its role empty ('other'): then it is looked for among both kinds.
    if (e.kind !== enrollmentKind && !(e.deleted && e.kind === 'other')) continue;
    const pair = pairKey(e.classSourcedId, e.userSourcedId);
    if (e.deleted) {
      const found = bySid.get(e.sourcedId) ?? (pair === null ? undefined : byPair.get(pair));
      if (found) remove(found.link);
    } else if (!ctx.classes.has(e.classSourcedId)) {
      problem(ENROLLMENTS, e.row, 'classSourcedId', `no class has sourcedId "${e.classSourcedId}" (in classes.csv or from an earlier import)`);
    } else if (ctx.other.has(e.userSourcedId) && !ctx.people.has(e.userSourcedId)) {
      problem(ENROLLMENTS, e.row, 'role', `user "${e.userSourcedId}" is not a ${enrollmentKind}`);
    } else if (!ctx.people.has(e.userSourcedId)) {
      problem(ENROLLMENTS, e.row, 'userSourcedId', `no ${enrollmentKind} has sourcedId "${e.userSourcedId}" (in users.csv or from an earlier import)`);
    } else {
      wanted.set(pair!, e.sourcedId);
    }
  }
  for (const { link, pair } of existing) {
    if (link.sourced_id === null || (pair !== null && wanted.has(pair))) continue;
    if (b.modes.enrollments === 'bulk' || ctx.removedClasses.has(link.class_id) || ctx.gone.has(link.person)) remove(link);
  }
  const upsert: LinkPlan['upsert'] = [];
  for (const [pair, sourcedId] of wanted) {
    const found = byPair.get(pair);
    if (found?.link.sourced_id === sourcedId) continue;
    const [classSourcedId, personSourcedId] = pair.split('\u0000');
    upsert.push({ classSourcedId, personSourcedId, sourcedId });
    if (found) counts.updated++;
    else counts.added++;
  }
  counts.removed = removing.size;
  return { upsert, remove: [...removing.values()] };
}

const pairKey = (classSourcedId: string | null | undefined, personSourcedId: string | null | undefined) =>
  classSourcedId && personSourcedId ? `${classSourcedId}\u0000${personSourcedId}` : null;

type Problem = (file: string, row: number, column: string, text: string) => void;

interface Stored {
  id: string;
  sourced_id: string | null;
}

/**
 * Finds the stored record a bundle row updates: by sourcedId, else the hand-made record with the
 * same key (class code, student ID, email). A key used twice in the bundle, or held by a record
 * of another sourcedId, is a problem on the row.
 */
class Matcher<T extends Stored> {
  private readonly bySid: Map<string, T>;
  private readonly byKey: Map<string, T>;
  private readonly seen = new Map<string, number>();

  constructor(rows: T[], key: (r: T) => string, private readonly what: string, private readonly problem: Problem) {
    this.bySid = byKey(rows, (r) => r.sourced_id);
    this.byKey = byKey(rows, key);
  }

  bySourcedId(sourcedId: string): T | undefined {
    return this.bySid.get(sourcedId);
  }

  /** The record to update, null for a new one, undefined when refused. */
  find(file: string, row: { sourcedId: string; row: number }, key: string, column: string, shown = key): T | null | undefined {
    const existing = this.bySid.get(row.sourcedId);
    const owner = this.byKey.get(key);
    if (this.seen.has(key)) this.problem(file, row.row, column, `${this.what} "${shown}" is also on row ${this.seen.get(key)}`);
    this.seen.set(key, row.row);
    if (owner && owner.id !== existing?.id && (existing || owner.sourced_id !== null)) {
      this.problem(file, row.row, column, `${this.what} "${shown}" already belongs to another record${owner.sourced_id ? ` (sourcedId "${owner.sourced_id}")` : ''}`);
      return undefined;
    }
    return existing ?? owner ?? null;
  }
}

/** Counts an insert or a change, and records the sourcedId the stored (or new) record has after the import. */
function place<T extends Stored>(
  found: T | null,
  sourcedId: string,
  counts: Counts,
  sids: Map<string, string | null>,
  changed: (existing: T) => boolean,
  insert: () => void,
  update: (existing: T) => void,
): void {
  sids.set(found ? found.id : `new:${sourcedId}`, sourcedId);
  if (!found) {
    insert();
    counts.added++;
  } else if (found.sourced_id !== sourcedId || changed(found)) {
    update(found);
    counts.updated++;
  }
}

function planClasses(b: OneRosterBundle, rows: SourcedClass[], plan: ImportPlan, classSid: Map<string, string | null>, removed: Set<string>, problem: Problem) {
  const match = new Matcher(rows, (c) => c.code, 'class code', problem);
  for (const c of b.classes) {
    const stored = match.bySourcedId(c.sourcedId);
    if (c.deleted) {
      if (stored) {
        removed.add(stored.id);
        plan.counts.classes.removed++;
      }
      continue;
    }
    const code = classCode(c);
    const found = match.find(CLASSES, c, code, c.classCode ? 'classCode' : 'sourcedId');
    if (found === undefined) continue;
    const fields = { sourcedId: c.sourcedId, code, name: c.title };
    place(found, c.sourcedId, plan.counts.classes, classSid, (e) => e.code !== code || e.name !== c.title, () => plan.classes.insert.push(fields), (e) => plan.classes.update.push({ id: e.id, ...fields }));
  }
}

/** The role of each user: users.csv or roles.csv, else the role of their enrolments (1.2 without roles.csv). */
function userKinds(b: OneRosterBundle): Map<string, Kind> {
  const kinds = new Map<string, Kind>();
  for (const e of b.enrollments) if (!kinds.has(e.userSourcedId) && !e.deleted) kinds.set(e.userSourcedId, e.kind);
  for (const u of b.users) if (u.kind) kinds.set(u.sourcedId, u.kind);
  return kinds;
}

/** Students; a tobedeleted row may carry nothing but its sourcedId: what it was is in the database. */
function planStudents(b: OneRosterBundle, kinds: Map<string, Kind>, rows: SourcedStudent[], plan: ImportPlan, studentSid: Map<string, string | null>, problem: Problem) {
  const match = new Matcher(rows, (s) => s.student_id, 'student ID', problem);
  for (const u of b.users) {
    const stored = match.bySourcedId(u.sourcedId);
    if (u.deleted) {
      if (stored) {
        plan.students.erase.push({ id: stored.id, studentId: stored.student_id });
        plan.counts.students.removed++;
      }
      continue;
    }
    if (kinds.get(u.sourcedId) !== 'student') continue;
    const id = studentId(u);
    const found = match.find(USERS, u, id, u.identifier ? 'identifier' : 'sourcedId');
    if (found === undefined) continue;
    const fields = { sourcedId: u.sourcedId, studentId: id, name: personName(u), email: u.email || null };
    place(
      found,
      u.sourcedId,
      plan.counts.students,
      studentSid,
      (e) => e.student_id !== id || e.name !== fields.name || e.email !== fields.email,
      () => plan.students.insert.push(fields),
      (e) => plan.students.update.push({ id: e.id, ...fields }),
    );
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
  const match = new Matcher(rows, (u) => u.email.toLowerCase(), 'email', problem);
  for (const u of b.users) {
    const stored = match.bySourcedId(u.sourcedId);
    if (u.deleted) {
      if (stored) {
        removed.add(stored.id);
        if (!stored.disabled) plan.teachers.disable.push(stored.id);
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
    const found = match.find(USERS, u, u.email.toLowerCase(), 'email', u.email);
    if (found === undefined) continue;
    const fields = { sourcedId: u.sourcedId, email: u.email, name: personName(u) };
    place(found, u.sourcedId, plan.counts.teachers, userSid, (e) => e.email !== u.email || e.name !== fields.name, () => plan.teachers.insert.push(fields), (e) => plan.teachers.update.push({ id: e.id, ...fields }));
  }
}
