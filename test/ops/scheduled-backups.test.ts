import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BackupService, verifyBackupFile } from '../../src/services/backups';
import { backend, createTestDb, type TestDb } from '../helpers/test-db';

const HOUR = 3600_000;

describe(`scheduled backups on ${backend}`, () => {
  let t: TestDb;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDb();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-scheduled-'));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.cleanup();
  });

  if (backend === 'postgres') {
    test('PostgreSQL is backed up with pg_dump: 409 backup_unsupported', async () => {
      await expect(new BackupService(t.db).runScheduled(dir, HOUR, 2)).rejects.toMatchObject({ status: 409, code: 'backup_unsupported' });
      expect(fs.readdirSync(dir)).toEqual([]);
    });
    return;
  }

  test('one file per interval, the newest BACKUP_KEEP kept, other files left alone', async () => {
    const backups = new BackupService(t.db);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a backup');
    const first = await backups.runScheduled(dir, HOUR, 2, new Date('2026-12-01T06:00:00Z'));
    expect(path.basename(first!)).toBe('rollcall-20261201T060000Z.rcbackup');
    // The file just written is younger than an hour: nothing is due yet.
    expect(await backups.runScheduled(dir, HOUR, 2, new Date())).toBeNull();
    fs.utimesSync(first!, new Date('2026-12-01T06:00:00Z'), new Date('2026-12-01T06:00:00Z'));
    await t.db.query(`INSERT INTO students (student_id, name) VALUES ('S-late', 'Late')`);
    const second = await backups.runScheduled(dir, HOUR, 2, new Date('2026-12-01T07:00:00Z'));
    fs.utimesSync(second!, new Date('2026-12-01T07:00:00Z'), new Date('2026-12-01T07:00:00Z'));
    const third = await backups.runScheduled(dir, HOUR, 2, new Date('2026-12-01T08:00:00Z'));
    expect(fs.readdirSync(dir).sort()).toEqual(['notes.txt', path.basename(second!), path.basename(third!)]);
    expect((await verifyBackupFile(third!)).counts.students).toBe(1);
  });
});
