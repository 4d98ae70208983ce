import ExcelJS from 'exceljs';
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseRoster } from '../src/roster/read-roster';
import type { AttendanceStatus, MatrixExport } from '../src/roster/types';
import { writeMatrixCsv, writeMatrixXlsx } from '../src/roster/write-matrix';

/**
 * Roster import and matrix export at the sizes we promise (node dist/bench/roster.js):
 * a 5,000-row roster parsed and a 200 students × 200 sessions matrix exported, each in at most
 * 2 s. Every case runs in its own child process so its peak RSS is its own.
 */

const TARGET_MS = 2000;
const RUNS = 3;
const RESULTS = path.resolve(__dirname, '..', '..', 'bench', 'results', 'roster.json');

interface CaseResult {
  /** Median of RUNS runs. */
  ms: number;
  /** The child process's peak, input generation included. */
  peakRssMb: number;
  /** Size of the roster read, or of the file written. */
  bytes: number;
}

const CASES: Record<string, { label: string; target?: number; run: () => Promise<() => Promise<number>> }> = {
  parseXlsx: { label: 'parse 5,000-row roster (.xlsx)', target: TARGET_MS, run: async () => parseCase(await rosterXlsx(5000), 'r.xlsx') },
  parseCsv: { label: 'parse 5,000-row roster (.csv)', run: async () => parseCase(rosterCsv(5000), 'r.csv') },
  matrixXlsx: { label: 'export 200 × 200 matrix (.xlsx)', target: TARGET_MS, run: async () => matrixCase(200, 200, (m) => writeMatrixXlsx(m)) },
  matrixCsv: { label: 'export 200 × 200 matrix (.csv)', run: async () => matrixCase(200, 200, async (m) => writeMatrixCsv(m)) },
};

/** Returns the timed operation; the input is built before timing starts. */
function parseCase(buf: Buffer, filename: string): () => Promise<number> {
  return async () => {
    const r = await parseRoster(buf, filename, { maxRows: 10_000 });
    if (r.rows.length !== 5000) throw new Error(`parsed ${r.rows.length} rows`);
    return buf.length;
  };
}

function matrixCase(students: number, sessions: number, write: (m: MatrixExport) => Promise<Buffer>): () => Promise<number> {
  const m = matrix(students, sessions);
  return async () => (await write(m)).length;
}

function rosterRow(i: number): [string, string, string, string] {
  return [String(i).padStart(6, '0'), `Family${i}`, `Given${i}`, `student${i}@example.edu`];
}

async function rosterXlsx(n: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Class list');
  ws.addRow(['Year 9 - all students']);
  ws.addRow(['Student ID', 'Last Name', 'First Name', 'Email']);
  for (let i = 1; i <= n; i++) ws.addRow(rosterRow(i));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function rosterCsv(n: number): Buffer {
  const lines = ['Student ID;Last Name;First Name;Email'];
  for (let i = 1; i <= n; i++) lines.push(rosterRow(i).join(';'));
  return Buffer.from('\ufeff' + lines.join('\r\n'), 'utf8');
}

function matrix(students: number, sessions: number): MatrixExport {
  const statuses: AttendanceStatus[] = ['present', 'present', 'present', 'absent', 'late', 'excused'];
  const start = Date.UTC(2026, 8, 1, 8);
  return {
    classCode: 'BENCH-200',
    className: 'Benchmark class',
    sessions: Array.from({ length: sessions }, (_, j) => ({ id: `session-${j}`, takenAt: new Date(start + j * 12 * 3600_000), unknownFaces: j % 3 })),
    students: Array.from({ length: students }, (_, i) => ({
      studentId: `S${String(i).padStart(5, '0')}`,
      name: `Student Number ${i}`,
      statuses: Array.from({ length: sessions }, (_, j) => statuses[(i * 7 + j) % statuses.length]),
    })),
  };
}

/** Child: one warm-up, then the median of RUNS timed runs, reported to the parent. */
async function runCase(name: string): Promise<void> {
  const op = await CASES[name].run();
  await op();
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    bytes = await op();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const result: CaseResult = { ms: Math.round(times[RUNS >> 1]), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), bytes };
  process.send?.(result);
}

function inChild(name: string): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [name], { stdio: 'inherit' });
    child.once('message', (m) => resolve(m as CaseResult));
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${name} exited with ${code}`));
    });
  });
}

async function main(): Promise<void> {
  const results: Record<string, CaseResult & { label: string; targetMs: number | null; ok: boolean | null }> = {};
  for (const [name, c] of Object.entries(CASES)) {
    const r = await inChild(name);
    const ok = c.target === undefined ? null : r.ms <= c.target;
    results[name] = { label: c.label, ...r, targetMs: c.target ?? null, ok };
    const verdict = ok === null ? '' : ok ? `  (target ≤ ${c.target} ms: ok)` : `  (target ≤ ${c.target} ms: MISSED)`;
    console.log(`${c.label.padEnd(34)} ${String(r.ms).padStart(6)} ms   peak RSS ${r.peakRssMb} MB   ${r.bytes} bytes${verdict}`);
  }
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  const report = { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cpus: os.cpus().length, date: new Date().toISOString(), runs: RUNS, results };
  fs.writeFileSync(RESULTS, JSON.stringify(report, null, 2) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), RESULTS)}`);
  if (Object.values(results).some((r) => r.ok === false)) process.exitCode = 1;
}

const caseName = process.argv[2];
(caseName ? runCase(caseName) : main()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
