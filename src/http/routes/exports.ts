import type { Response } from 'express';
import type { RenderedExport } from '../../services/exports';

/** Sends a rendered export as a download with its own file name. */
export function sendExport(res: Response, e: RenderedExport): void {
  res.setHeader('Content-Type', e.contentType);
  res.setHeader('Content-Disposition', `attachment; filename="${e.filename}"`);
  res.send(e.body);
}
