import { decodeBackup, encodeBackup } from '../../src/store/backup-file';

describe('the backup file format', () => {
  const payload = Buffer.from('a gzipped tar would be here'.repeat(10));
  const file = encodeBackup(payload, 'PostgreSQL 17.5 (PGlite)', new Date('2026-12-02T01:00:00Z'));

  test('round trip: manifest and payload back as written', () => {
    const { manifest, payload: back } = decodeBackup(file);
    expect(back.equals(payload)).toBe(true);
    expect(manifest).toMatchObject({ version: 1, kind: 'pglite-datadir', created_at: '2026-12-02T01:00:00.000Z', engine: 'PostgreSQL 17.5 (PGlite)', payload_bytes: payload.length });
  });

  const flip = (b: Buffer, at: number) => {
    const c = Buffer.from(b);
    c[at] ^= 0x01;
    return c;
  };

  test.each([
    ['a foreign file', Buffer.from('PK\x03\x04 a zip file'), /not a Rollcall backup/],
    ['an empty file', Buffer.alloc(0), /not a Rollcall backup/],
    ['only the magic', file.subarray(0, 20), /header is incomplete/],
    ['a truncated payload', file.subarray(0, file.length - 7), /truncated: \d+ of 270 payload bytes/],
    ['bytes appended', Buffer.concat([file, Buffer.from('xx')]), /2 unexpected bytes after the payload/],
    ['a flipped payload bit', flip(file, file.length - 3), /checksum does not match/],
    ['another version', Buffer.from(file.toString('latin1').replace('ROLLCALL-BACKUP 1', 'ROLLCALL-BACKUP 9'), 'latin1'), /format version "9" is not supported/],
    ['a damaged manifest', Buffer.from(file.toString('latin1').replace('{"version"', '{version'), 'latin1'), /manifest is not valid JSON/],
  ])('%s is refused, naming the problem', (_, bad, problem) => {
    expect(() => decodeBackup(bad)).toThrow(problem);
    expect(() => decodeBackup(bad)).toThrow(expect.objectContaining({ status: 422, code: 'invalid_backup' }));
  });
});
