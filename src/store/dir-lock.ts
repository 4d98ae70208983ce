import fs from 'node:fs';
import path from 'node:path';
import { StoreError } from './store-error';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is single-process: two processes on one data directory would corrupt it. A pid file
 * refuses the second one; a stale file (its process is gone) is taken over.
 */
export function acquireDirLock(dataDir: string): () => void {
  const file = path.join(dataDir, 'rollcall.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StoreError(`cannot lock DATA_DIR ${dataDir}: ${(e as Error).message}`);
      }
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new StoreError(
          `DATA_DIR ${dataDir} is in use by process ${pid}; stop it, or use DATABASE_URL to share a real Postgres`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new StoreError(`cannot lock DATA_DIR ${dataDir}`);
}
