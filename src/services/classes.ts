import type { Db } from '../store/db';
import { classesRepo, type ClassRow } from '../store/repos/classes';
import { conflict, notFound } from '../errors';
import { consentView } from './consent';
import { z } from 'zod';
import { optionalNumber, parseInput, text } from './validate';

const view = (c: ClassRow & { students?: number }) => ({
  id: c.id,
  code: c.code,
  name: c.name,
  match_threshold: c.match_threshold,
  created_at: c.created_at,
  ...(c.students !== undefined ? { students: c.students } : {}),
});

const NewClass = z.object({ code: text(64), name: text(200), match_threshold: optionalNumber(0.05, 0.95) });

export class ClassesService {
  constructor(private readonly db: Db) {}

  async create(body: unknown) {
    const { code, name, match_threshold } = parseInput(NewClass, body);
    const row = await classesRepo.insert(this.db, code, name, match_threshold ?? null);
    if (!row) throw conflict('class_exists', `a class with code "${code}" already exists`);
    return view(row);
  }

  /** Every class, or only those taught by `teacherId`. */
  async list(teacherId: string | null = null) {
    return (await classesRepo.list(this.db, teacherId)).map(view);
  }

  /** A class by id or by code. */
  async get(idOrCode: string) {
    const row = await classesRepo.get(this.db, idOrCode);
    if (!row) throw notFound(`class ${idOrCode}`);
    return row;
  }

  async show(idOrCode: string) {
    return view(await this.get(idOrCode));
  }

  async students(idOrCode: string) {
    const c = await this.get(idOrCode);
    return (await classesRepo.roster(this.db, c.id)).map((s) => ({
      student_id: s.student_id,
      name: s.name,
      email: s.email,
      faces: s.faces,
      consent: consentView(s),
    }));
  }
}
