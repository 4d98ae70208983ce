import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes the roster files we hand to schools (`npm run rosters`):
 *   rosters/roster-template.xlsx  an empty class list to fill in
 *   rosters/example-roster.xlsx   a filled-in one, in the messy shape real ones have
 * Both are committed; regenerate rather than edit them by hand.
 */

const OUT_DIR = path.resolve(__dirname, '..', '..', 'rosters');
/** Fixed, with pinZipTimestamps, so that regenerating changes the files only when their content changes. */
const CREATED = new Date('2026-01-01T00:00:00Z');
/** 2026-01-01 00:00 as an MS-DOS date (high half) and time (low half), as zip headers store it. */
const DOS_CREATED = (((2026 - 1980) << 9) | (1 << 5) | 1) * 0x10000;
const TEXT = '@';

function newWorkbook(): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Rollcall';
  wb.created = CREATED;
  wb.modified = CREATED;
  return wb;
}

function template(): ExcelJS.Workbook {
  const wb = newWorkbook();
  const ws = wb.addWorksheet('Roster', { views: [{ state: 'frozen', ySplit: 2 }] });
  ws.columns = [
    { width: 16, style: { numFmt: TEXT } }, // IDs typed here stay text: 00123 keeps its zeros
    { width: 32 },
    { width: 32 },
  ];
  ws.mergeCells('A1:C1');
  const note = ws.getCell('A1');
  note.value =
    'One student per row, below the header. Student ID and Name are required, Email is optional. ' +
    'Keep the header row; rows above it (like this one) are ignored. Save as .xlsx.';
  note.font = { italic: true, color: { argb: 'FF595959' } };
  note.alignment = { wrapText: true, vertical: 'top' };
  ws.getRow(1).height = 45;
  const header = ws.getRow(2);
  header.values = ['Student ID', 'Name', 'Email'];
  header.font = { bold: true };
  ws.getCell('A2').note = "The school's own ID, unique in the class. Kept exactly as typed, leading zeros included.";
  ws.getCell('B2').note = 'Full name as it should appear in attendance. Separate "First Name" and "Last Name" columns also work.';
  ws.getCell('C2').note = 'Optional.';
  return wb;
}

/** [Student No., Last Name, First Name]; numbers are typed as numbers, as happens in real sheets. */
const CLASS: [string | number, string, string][] = [
  ['000417', 'Okafor', 'Amara'],
  ['000418', "O'Brien", 'Liam'],
  ['000502', 'Hernández', 'Sofía'],
  ['000519', 'Zhang', 'Wei'],
  ['000533', 'Dubois', 'Chloé'],
  [2025101, 'Rossi', 'Mateo'],
  ['000547', 'Khan', 'Aisha'],
  ['000561', 'Müller', 'Noah'],
  [2025102, 'Tanaka', 'Yuki'],
  ['000588', 'Smith', 'Olivia'],
  [2025103, 'Mensah', 'Kwame'],
  ['000602', 'Nilsson', 'Freya'],
];

function example(): ExcelJS.Workbook {
  const wb = newWorkbook();
  const ws = wb.addWorksheet('Class list', { views: [{ state: 'frozen', ySplit: 4 }] });
  ws.columns = [{ width: 14, style: { numFmt: TEXT } }, { width: 18 }, { width: 16 }, { width: 36 }];
  ws.mergeCells('A1:D1');
  ws.getCell('A1').value = 'Algebra I (MATH-101) - class list 2026/27';
  ws.getCell('A1').font = { bold: true, size: 14 };
  ws.getCell('A2').value = 'Teacher: Ms E. Noether, room 204';
  ws.getCell('A2').font = { italic: true };
  const header = ws.getRow(4);
  header.values = ['Student No.', 'Last Name', 'First Name', 'Email'];
  header.font = { bold: true };
  CLASS.forEach(([id, last, first], i) => {
    const row = ws.getRow(5 + i);
    row.values = [id, last, first, `${ascii(first)}.${ascii(last)}@students.example.edu`.toLowerCase()];
    if (typeof id === 'number') row.getCell(1).numFmt = 'General';
  });
  return wb;
}

/** exceljs stamps every zip entry with the current time; pin them in the central and local headers. */
function pinZipTimestamps(buf: Buffer): Buffer {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let p = buf.readUInt32LE(eocd + 16);
  for (let n = buf.readUInt16LE(eocd + 10); n > 0; n--) {
    buf.writeUInt32LE(DOS_CREATED, p + 12);
    buf.writeUInt32LE(DOS_CREATED, buf.readUInt32LE(p + 42) + 10);
    p += 46 + buf.readUInt16LE(p + 28) + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return buf;
}

function ascii(s: string): string {
  return s.normalize('NFKD').replace(/[^A-Za-z]/g, '');
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const [name, wb] of [
    ['roster-template.xlsx', template()],
    ['example-roster.xlsx', example()],
  ] as const) {
    const file = path.join(OUT_DIR, name);
    fs.writeFileSync(file, pinZipTimestamps(Buffer.from(await wb.xlsx.writeBuffer())));
    console.log(`wrote ${path.relative(process.cwd(), file)} (${fs.statSync(file).size} bytes)`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
