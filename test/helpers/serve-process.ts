import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

export const MAIN = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

export interface ServeProcess {
  proc: ChildProcess;
  port: number;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/**
 * Starts `rollcall serve` (the built dist/) on an ephemeral port and waits for its "listening"
 * log line; rejects with its stderr if it exits first.
 */
export function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const proc = spawn(process.execPath, [MAIN, 'serve'], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', API_KEYS: '', ...env } });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (line) {
        const port = JSON.parse(line).port as number;
        resolve({ proc, port, url: `http://127.0.0.1:${port}`, stdout: () => out, stderr: () => err, exited });
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    void exited.then((code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

const run = promisify(execFile);

/** Runs the built CLI (npm test builds it first), with `input` on stdin; never throws, returns code and output. */
export async function runCli(args: string[], env: Record<string, string | undefined>, input?: string) {
  try {
    const p = run(process.execPath, [MAIN, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 120_000 });
    if (input !== undefined) p.child.stdin!.end(input);
    const r = await p;
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}
