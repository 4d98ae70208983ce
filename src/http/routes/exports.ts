import type { Response } from 'express';
import { AppError } from '../../errors';
import { exportFilename, writeMatrixCsv, writeMatrixXlsx, writeSessionCsv, writeSessionXlsx } from '../../roster';
import type { MatrixExport, SessionExport } from '../../roster/types';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function send(res: Response, format: 'xlsx' | 'csv', body: Buffer, filename: string) {
  res.setHeader('Content-Type', format === 'xlsx' ? XLSX : 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.send(body);
}

function formatOf(f: string): 'xlsx' | 'csv' {
  if (f === 'xlsx' || f === 'csv') return f;
  throw new AppError(404, 'not_found', `exports are .xlsx or .csv, not .${f}`);
}

export async function sendSessionExport(res: Response, format: string, data: SessionExport) {
  const f = formatOf(format);
  const body = f === 'xlsx' ? await writeSessionXlsx(data) : writeSessionCsv(data);
  send(res, f, body, exportFilename(data.classCode, data.takenAt, f));
}

export async function sendMatrixExport(res: Response, format: string, data: MatrixExport) {
  const f = formatOf(format);
  const body = f === 'xlsx' ? await writeMatrixXlsx(data) : writeMatrixCsv(data);
  send(res, f, body, exportFilename(`${data.classCode}_attendance`, new Date(), f));
}
