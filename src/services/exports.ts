import { AppError } from '../errors';
import { exportFilename, writeMatrixCsv, writeMatrixXlsx, writeSessionCsv, writeSessionXlsx } from '../roster';
import type { MatrixExport, SessionExport } from '../roster/types';

export type ExportFormat = 'xlsx' | 'csv';

export interface RenderedExport {
  body: Buffer;
  filename: string;
  contentType: string;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/** The format named by a URL suffix or a file extension; anything else is not an export we make. */
export function exportFormat(f: string): ExportFormat {
  if (f === 'xlsx' || f === 'csv') return f;
  throw new AppError(404, 'not_found', `exports are .xlsx or .csv, not .${f}`);
}

export async function renderSessionExport(data: SessionExport, format: ExportFormat): Promise<RenderedExport> {
  const body = format === 'xlsx' ? await writeSessionXlsx(data) : writeSessionCsv(data);
  return { body, filename: exportFilename(data.classCode, data.takenAt, format), contentType: CONTENT_TYPES[format] };
}

export async function renderMatrixExport(data: MatrixExport, format: ExportFormat): Promise<RenderedExport> {
  const body = format === 'xlsx' ? await writeMatrixXlsx(data) : writeMatrixCsv(data);
  return { body, filename: exportFilename(`${data.classCode}_attendance`, new Date(), format), contentType: CONTENT_TYPES[format] };
}
