import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { backend, createTestDb, type TestDb } from '../helpers/test-db';
import { fixturePath } from '../helpers/fixtures';
import { makeSchool, zipBundle } from '../helpers/oneroster-bundle';
import { haveFfmpeg, slideshowClip } from '../helpers/clips';
import { runCli as cli } from '../helpers/serve-process';

describe(`rollcall CLI on ${backend}`, () => {
  let t: TestDb;
  let env: Record<string, string | undefined>;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-cli-'));

  beforeAll(async () => {
    t = await createTestDb();
    // The CLI opens the database itself: release the embedded one.
    await t.db.close();
    env = { DATA_DIR: t.options.dataDir, DATABASE_URL: t.options.databaseUrl ?? '' };
  });
  afterAll(async () => {
    await t.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('--help lists the commands; an unknown command exits 2', async () => {
    const help = await cli(['--help'], env);
    expect(help.code).toBe(0);
    for (const c of ['serve', 'migrate', 'models', 'detect', 'enroll', 'roster', 'export', 'keys', 'erase']) expect(help.stdout).toMatch(new RegExp(`\\b${c}\\b`));
    const bad = await cli(['fly'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command "fly"/);
  });

  test('an invalid setting or an unreachable database is one clear line, no stack trace', async () => {
    const r = await cli(['migrate'], { ...env, MATCH_THRESHOLD: '7' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^rollcall: invalid setting MATCH_THRESHOLD: /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const down = await cli(['migrate'], { ...env, DATABASE_URL: 'postgres://root@127.0.0.1:1/none' });
    expect(down.code).toBe(1);
    expect(down.stderr.trim()).toMatch(/^rollcall: cannot connect to Postgres at 127\.0\.0\.1:1\/none/);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('migrate reports the schema version', async () => {
    const r = await cli(['migrate'], env);
    expect(r.stdout).toMatch(/is at migration 0\d\d_/);
  });

  test('detect prints faces and timings, --json and --annotate', async () => {
    const out = path.join(work, 'annotated.jpg');
    const r = await cli(['detect', fixturePath('group/obama_and_biden.jpg'), '--json', '--annotate', out], env);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.faces).toHaveLength(3);
    expect(Object.keys(j.timings_ms).sort()).toEqual(['align', 'decode', 'detect', 'embed']);
    expect(fs.readFileSync(out).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const text = await cli(['detect', fixturePath('noface/cf_017_0.jpg')], env);
    expect(text.stdout).toMatch(/0 face\(s\)/);
  });

  (haveFfmpeg || process.env.CI ? test : test.skip)('detect on a clip lists the people tracked, with a contact sheet', async () => {
    const clip = path.join(work, 'two.mp4');
    slideshowClip(['query/obama1.jpg', 'people/kit_harington/john1.jpeg'], clip, { size: 480, each: 1.5 });
    const sheet = path.join(work, 'sheet.jpg');
    const r = await cli(['detect', clip, '--json', '--annotate', sheet], env);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.image).toEqual({ width: 480, height: 480 });
    expect(j.video.frames_sampled).toBeGreaterThanOrEqual(5);
    expect(j.faces).toHaveLength(2);
    expect(j.faces.map((f: { first_seen_s: number }) => f.first_seen_s).sort((x: number, y: number) => x - y)[1]).toBeGreaterThanOrEqual(1);
    expect(fs.readFileSync(sheet).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect((await cli(['detect', clip], env)).stdout).toMatch(/480x480, [\d.]+ s, \d+ frames sampled, 2 face\(s\)/);
  });

  test('classes, roster import, bulk enroll, export, erase', async () => {
    expect((await cli(['classes', 'create', 'BIO-1', 'Biology'], env)).stdout).toMatch(/created class BIO-1/);
    expect((await cli(['classes', 'list'], env)).stdout).toMatch(/BIO-1\s+Biology\s+0/);

    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Roster');
    // The Consent column records biometric consent, which enrolment needs.
    ws.addRows([['ID', 'Name', 'Consent'], ['S-obama', 'Barack Obama', 'yes'], ['S-biden', 'Joe Biden', 'Y']]);
    const roster = path.join(work, 'roster.xlsx');
    await wb.xlsx.writeFile(roster);
    expect((await cli(['roster', 'import', 'BIO-1', roster, '--dry-run'], env)).stdout).toMatch(/dry run: would apply .* 2 added/);
    expect((await cli(['roster', 'import', 'BIO-1', roster], env)).stdout).toMatch(/applied .* 2 added, 0 updated, 0 removed, 2 on the roster, 2 consent decision\(s\) recorded/);

    const dir = path.join(work, 'photos');
    const folders = {
      'S-obama': ['people/obama/obama.jpg', 'people/obama/obama2.jpg'],
      'S-biden': ['people/biden/biden.jpg', 'noface/cf_017_0.jpg'],
      // Not on the roster: created by enroll with no consent recorded, so refused.
      'S-kit': ['people/kit_harington/john1.jpeg'],
    };
    for (const [id, files] of Object.entries(folders)) {
      fs.mkdirSync(path.join(dir, id), { recursive: true });
      files.forEach((f, i) => fs.copyFileSync(fixturePath(f), path.join(dir, id, `${i}.jpg`)));
    }
    const e = await cli(['enroll', dir], env);
    expect(e.code).toBe(1);
    expect(e.stdout).toMatch(/S-biden\s+2\s+1\s+1\.jpg: no_face/);
    expect(e.stdout).toMatch(/S-kit\s+1\s+0\s+consent_required: /);
    expect(e.stdout).toMatch(/S-obama\s+2\s+2\s+-/);
    expect(e.stdout).toMatch(/2 of 3 students enrolled/);

    const out = path.join(work, 'matrix.xlsx');
    expect((await cli(['export', 'BIO-1', out], env)).code).toBe(0);
    const back = new ExcelJS.Workbook();
    await back.xlsx.readFile(out);
    expect(back.worksheets[0].getCell('A1').value).toBeTruthy();

    const erase = await cli(['erase', 'S-obama'], env);
    expect(erase.stdout).toMatch(/erased student S-obama/);
    expect((await cli(['erase', 'S-obama'], env)).stderr).toMatch(/not_found/);
  });

  test('keys create, list, revoke', async () => {
    const c = await cli(['keys', 'create', 'teacher-1'], env);
    expect(c.stdout).toMatch(/rc_[A-Za-z0-9_-]{20,}/);
    expect((await cli(['keys', 'list'], env)).stdout).toMatch(/teacher-1\s+\S+\s+-/);
    expect((await cli(['keys', 'revoke', 'teacher-1'], env)).code).toBe(0);
    expect((await cli(['keys', 'revoke', 'teacher-1'], env)).code).toBe(1);
    expect((await cli(['keys'], env)).code).toBe(1);
  });

  test('users create (password from stdin), classes assign, users list, reset-password, disable', async () => {
    const admin = await cli(['users', 'create', 'head@school.example', '--role', 'admin', '--name', 'Head'], env, 'a long cli password\n');
    expect([admin.code, admin.stdout]).toEqual([0, expect.stringMatching(/^created admin head@school\.example id [0-9a-f-]{36}\n$/)]);
    const weak = await cli(['users', 'create', 'weak@school.example', '--role', 'teacher'], env, 'short\n');
    expect([weak.code, weak.stderr.trim()]).toEqual([1, expect.stringMatching(/^rollcall: validation_error: "password" must have at least 12 characters$/)]);
    const role = await cli(['users', 'create', 'x@school.example', '--role', 'janitor'], env, 'a long cli password\n');
    expect(role.stderr).toMatch(/validation_error: "role" must be one of admin, teacher/);
    expect((await cli(['users', 'create', 'ana@school.example', '--role', 'teacher', '--name', 'Ana'], env, 'another cli password\n')).code).toBe(0);
    expect((await cli(['classes', 'create', 'CLI-1', 'Cli class'], env)).code).toBe(0);
    expect((await cli(['classes', 'assign', 'CLI-1', 'ANA@school.example'], env)).stdout).toBe('ana@school.example now teaches CLI-1\n');
    expect((await cli(['users', 'list'], env)).stdout).toMatch(/ana@school\.example\s+Ana\s+teacher\s+active\s+CLI-1\s+-/);
    expect((await cli(['users', 'reset-password', 'ana@school.example'], env, 'a temporary password\n')).stdout).toMatch(/to be changed at the next sign-in/);
    expect((await cli(['users', 'disable', 'ana@school.example'], env)).code).toBe(0);
    expect((await cli(['users', 'list'], env)).stdout).toMatch(/ana@school\.example\s+Ana\s+teacher\s+disabled/);
    expect((await cli(['users', 'disable', 'nobody@school.example'], env)).stderr).toMatch(/not_found/);
    expect((await cli(['users'], env)).code).toBe(1);
  });

  test('oneroster import: a dry run, the import with its counts, and a bad bundle listed by file, row and column', async () => {
    const files = makeSchool({ students: 3, classes: 2, perStudent: 1 });
    const bundle = path.join(work, 'oneroster.zip');
    fs.writeFileSync(bundle, await zipBundle(files));
    const dry = await cli(['oneroster', 'import', bundle, '--dry-run'], env);
    expect([dry.code, dry.stdout]).toEqual([0, expect.stringMatching(/^dry run, nothing changed: would apply OneRoster 1\.1/)]);
    const done = await cli(['oneroster', 'import', bundle], env);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/students\s+3\s+0\s+0/);
    expect(done.stdout).toMatch(/memberships\s+3\s+0\s+0/);
    expect((await cli(['oneroster', 'import', bundle], env)).stdout).toMatch(/students\s+0\s+0\s+0/);
    files['enrollments.csv'].push(['e-x', '', '', 'c-9', 'org-1', 's-0', 'student', '', '', '']);
    fs.writeFileSync(bundle, await zipBundle(files));
    const bad = await cli(['oneroster', 'import', bundle], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/invalid_oneroster/);
    expect(bad.stderr).toMatch(/enrollments\.csv\s+7\s+classSourcedId\s+no class has sourcedId "c-9"/);
    const usage = await cli(['oneroster', 'export', bundle], env);
    expect([usage.code, usage.stderr]).toEqual([1, expect.stringMatching(/use: oneroster import <bundle\.zip> \[--dry-run\]/)]);
  });
});
