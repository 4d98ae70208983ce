import { parseConsentCell } from '../../src/roster/consent-cell';
import { parseRoster } from '../../src/roster/read-roster';

describe('the Consent column', () => {
  test.each([
    ['yes', 'granted'],
    [' Y ', 'granted'],
    ['TRUE', 'granted'],
    ['Granted', 'granted'],
    ['no', 'refused'],
    ['N', 'refused'],
    ['false', 'refused'],
    ['REFUSED', 'refused'],
    ['', null],
    ['   ', null],
  ])('%j → %j', (cell, state) => {
    expect(parseConsentCell(cell)).toBe(state);
  });

  test.each(['maybe', 'oui', '1', 'yes!', 'unknown'])('%j is not a consent', (cell) => {
    expect(parseConsentCell(cell)).toBeUndefined();
  });

  test('is found by name, recorded per row, and every bad cell is reported with its row', async () => {
    const csv = Buffer.from('Student ID,Name,Photo consent\nS1,Ada,yes\nS2,Bob,\nS3,Cy,perhaps\nS4,Di,no\nS5,Ed,?\n');
    await expect(parseRoster(csv, 'r.csv', { maxRows: 100 })).rejects.toMatchObject({
      code: 'invalid_roster',
      details: [
        { row: 4, column: 'Photo consent', problem: expect.stringContaining('"perhaps"') },
        { row: 6, column: 'Photo consent', problem: expect.stringContaining('"?"') },
      ],
    });
    const ok = await parseRoster(Buffer.from('Student ID,Name,Consent\nS1,Ada,yes\nS2,Bob,\nS4,Di,no\n'), 'r.csv', { maxRows: 100 });
    expect(ok.rows.map((r) => [r.studentId, r.consent])).toEqual([['S1', 'granted'], ['S2', undefined], ['S4', 'refused']]);
  });
});
