import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseRoster } from '../../src/roster/read-roster';
import { readXlsx, rejection } from './helpers';

const ROSTERS = path.join(__dirname, '..', '..', 'rosters');
const opts = { maxRows: 1000 };

describe('the committed roster files (npm run rosters)', () => {
  test('example-roster.xlsx imports: title above the header, leading zeros kept, numeric IDs plain', async () => {
    const r = await parseRoster(fs.readFileSync(path.join(ROSTERS, 'example-roster.xlsx')), 'example-roster.xlsx', opts);
    expect(r.sheet).toBe('Class list');
    expect(r.headerRow).toBe(4);
    expect(r.rows).toHaveLength(12);
    expect(r.rows[0]).toEqual({ row: 5, studentId: '000417', name: 'Amara Okafor', email: 'amara.okafor@students.example.edu' });
    expect(r.rows[5]).toEqual({ row: 10, studentId: '2025101', name: 'Mateo Rossi', email: 'mateo.rossi@students.example.edu' });
    expect(r.rows.map((s) => s.name)).toContain('Sofía Hernández');
  });

  test('roster-template.xlsx: its header is recognised, it has no students, IDs are text-formatted', async () => {
    const buf = fs.readFileSync(path.join(ROSTERS, 'roster-template.xlsx'));
    const err = await rejection(parseRoster(buf, 'roster-template.xlsx', opts));
    expect(err.message).toMatch(/no students below the header in row 2/);
    const ws = (await readXlsx(buf)).worksheets[0];
    expect(ws.getColumn(1).numFmt).toBe('@');
    expect(ws.getCell('A2').note).toBeTruthy();
  });
});

const hasSoffice = spawnSync('which', ['soffice']).status === 0;

describe('interop with LibreOffice', () => {
  (hasSoffice ? test : test.skip)(
    hasSoffice ? 'a CSV converted by soffice to xlsx imports the same' : 'a CSV converted by soffice to xlsx imports the same (skipped: soffice is not installed)',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-soffice-'));
      try {
        const csv = path.join(dir, 'class.csv');
        fs.writeFileSync(csv, 'Class 7B\nStudent ID,First Name,Last Name\nS1,Ada,Lovelace\n1001,Alan,Turing\n');
        // A private profile, so a LibreOffice already running on the machine cannot swallow the call.
        const profile = `-env:UserInstallation=file://${path.join(dir, 'profile')}`;
        execFileSync('soffice', [profile, '--headless', '--convert-to', 'xlsx', '--outdir', dir, csv], { stdio: 'ignore', timeout: 90_000 });
        const r = await parseRoster(fs.readFileSync(path.join(dir, 'class.xlsx')), 'class.xlsx', opts);
        expect(r.headerRow).toBe(2);
        expect(r.rows).toEqual([
          { row: 3, studentId: 'S1', name: 'Ada Lovelace', email: null },
          { row: 4, studentId: '1001', name: 'Alan Turing', email: null },
        ]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
