import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const MAIN = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

export interface Server {
  proc: ChildProcess;
  port: number;
  stdout: () => string;
}

/** Starts the built `rollcall serve` on an ephemeral port and waits for its "listening" log line. */
export function startServer(env: Record<string, string>): Promise<Server> {
  const proc = spawn(process.execPath, [MAIN, 'serve'], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', API_KEYS: '', ...env } });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (line) resolve({ proc, port: JSON.parse(line).port, stdout: () => out });
    });
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

export const exited = (p: ChildProcess) => new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
