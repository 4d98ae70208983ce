import fs from 'node:fs';
import path from 'node:path';

/**
 * Where a running `serve` on the embedded database can be reached, so that `rollcall backup` can
 * ask it for a backup (PGlite admits one process per DATA_DIR). Written when it listens,
 * removed when it stops; an entry whose process is gone is ignored.
 */
const file = (dataDir: string) => path.join(dataDir, 'serve.json');

export function writeServeAddress(dataDir: string, host: string, port: number): void {
  // A wildcard address is reached on loopback from the same machine.
  const reach = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${reach.includes(':') ? `[${reach}]` : reach}:${port}`;
  fs.writeFileSync(file(dataDir), JSON.stringify({ pid: process.pid, url }));
}

export function removeServeAddress(dataDir: string): void {
  fs.rmSync(file(dataDir), { force: true });
}

/** The URL of the live `serve` on this DATA_DIR, or null. */
export function readServeAddress(dataDir: string): string | null {
  try {
    const { pid, url } = JSON.parse(fs.readFileSync(file(dataDir), 'utf8')) as { pid: number; url: string };
    process.kill(pid, 0);
    return url;
  } catch {
    return null;
  }
}
