import request from 'supertest';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';

/** Excel's two CSV flavours that are not UTF-8: "CSV (Comma delimited)" and "Unicode Text". */
const windows1252 = Buffer.concat([
  Buffer.from('Student ID;Name\r\nW1;Sin', 'latin1'),
  Buffer.from([0xe9, 0x61, 0x64, 0x20, 0x4f, 0x92]), // éad O’
  Buffer.from('Brien\r\nW2;', 'latin1'),
  Buffer.from([0x8a, 0x74, 0x65, 0x70, 0xe1, 0x6e]), // Štepán
  Buffer.from(' Nov\xe1k\r\n', 'latin1'),
]);
const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Student ID\tName\r\nU1\tZoë Łukasiewicz\r\nU2\t李 小龍\r\n', 'utf16le')]);

describe(`CSV rosters in Windows-1252 and UTF-16 on ${backend}`, () => {
  let a: TestApp;
  const names = async (classId: string) =>
    (await request(a.app).get(`/api/v1/classes/${classId}/students`).set(auth).expect(200)).body.map((s: { student_id: string; name: string }) => [s.student_id, s.name]);

  beforeAll(async () => {
    a = await createTestApp();
  });
  afterAll(() => a.close());

  test.each([
    ['Windows-1252', 'W-1252', windows1252, [['W1', 'Sinéad O’Brien'], ['W2', 'Štepán Novák']]],
    ['UTF-16LE', 'U-16', utf16, [['U1', 'Zoë Łukasiewicz'], ['U2', '李 小龍']]],
  ])('%s imports with its accents', async (_kind, code, file, expected) => {
    const classId = (await request(a.app).post('/api/v1/classes').set(auth).send({ code, name: code }).expect(201)).body.id;
    const res = await request(a.app).post(`/api/v1/classes/${classId}/roster`).set(auth).attach('file', file as Buffer, 'class.csv').expect(200);
    expect(res.body).toMatchObject({ added: 2, total: 2 });
    expect((await names(classId)).sort()).toEqual(expected);
  });

  test('a damaged row: 422 with its row and column, nothing imported', async () => {
    const classId = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'BAD-CSV', name: 'Bad' }).expect(201)).body.id;
    const bad = Buffer.from('Student ID;Name\r\nB1;Ada\r\nB2;"Alan\r\n', 'latin1');
    const res = await request(a.app).post(`/api/v1/classes/${classId}/roster`).set(auth).attach('file', bad, 'class.csv').expect(422);
    expect(res.body.error).toMatchObject({ code: 'invalid_roster', details: [{ row: 3, column: 'column 2', problem: 'quoted field is never closed' }] });
    expect(await names(classId)).toEqual([]);
  });
});
