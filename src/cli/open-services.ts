import type { Config } from '../config';
import { createServices, type Services } from '../services/services';
import { openDatabase } from '../store/open';
import { FacePipeline } from '../vision/pipeline';
import { verifyModels } from '../vision/provision';

/** Opens the database and the models as the server would, runs fn, and closes everything. */
export async function withServices<T>(config: Config, fn: (s: Services) => Promise<T>): Promise<T> {
  verifyModels(config.modelsDir);
  const db = await openDatabase(config);
  try {
    const pipeline = await FacePipeline.load(config.modelsDir);
    return await fn(createServices(config, db, pipeline));
  } finally {
    await db.close();
  }
}

/** Plain-text table for terminal summaries. */
export function table(rows: (string | number)[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}

/** Thrown for wrong command-line usage: printed with the usage line, exit code 2. */
export class UsageError extends Error {}
