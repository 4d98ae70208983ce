import ExcelJS from 'exceljs';
import zlib from 'node:zlib';
import { AppError } from '../../src/errors';

/** Builds a real .xlsx with exceljs's ordinary (non-streaming) writer, like most tools do. */
export async function xlsxOf(build: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A one-sheet workbook from rows of cell values (null = empty cell). */
export function sheetOf(rows: ExcelJS.CellValue[][], name = 'Sheet1'): Promise<Buffer> {
  return xlsxOf((wb) => {
    const ws = wb.addWorksheet(name);
    rows.forEach((r, i) => {
      ws.getRow(i + 1).values = r;
    });
  });
}

export async function readXlsx(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ExcelJS.Buffer);
  return wb;
}

/** The AppError a promise rejects with; fails the test if it resolves or throws anything else. */
export async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw err;
  return err;
}

export interface ZipFile {
  name: string;
  data: Buffer;
  store?: boolean;
  /** Size written into the headers instead of the real one (to craft lying zips). */
  declaredSize?: number;
}

/** A minimal, valid zip writer, for fixtures exceljs cannot make (.ods, bombs). */
export function makeZip(files: ZipFile[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const body = f.store ? f.data : zlib.deflateRawSync(f.data);
    const name = Buffer.from(f.name);
    const size = f.declaredSize ?? f.data.length;
    const fields = (h: Buffer, at: number) => {
      h.writeUInt16LE(20, at); // version needed
      h.writeUInt16LE(f.store ? 0 : 8, at + 4); // method
      h.writeUInt32LE(zlib.crc32(f.data), at + 10);
      h.writeUInt32LE(body.length, at + 14);
      h.writeUInt32LE(size, at + 18);
      h.writeUInt16LE(name.length, at + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields(local, 4);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // version made by
    fields(entry, 6);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, name, body);
    central.push(entry, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

/** The smallest set of parts that makes a zip look like an xlsx to the sniffer. */
export const XLSX_SKELETON: ZipFile[] = [
  { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
  { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
];
