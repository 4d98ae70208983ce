import { readCsvTable, cell } from './csv-table';
import type { FileMode, OneRosterProblem } from './types';

export interface Manifest {
  version: '1.1' | '1.2';
  /** The mode of each file by its name, e.g. classes.csv → bulk. */
  modes: Map<string, FileMode>;
}

const MODES: FileMode[] = ['bulk', 'delta', 'absent'];
const FILE = 'manifest.csv';

/**
 * manifest.csv: propertyName,value rows such as oneroster.version,1.1 and file.classes,bulk.
 * A file the manifest does not mention counts as bulk when the zip holds it, else as absent; a file
 * it sends as bulk or delta must be in the zip.
 */
export function readManifest(files: Map<string, Buffer>, problems: OneRosterProblem[]): Manifest | null {
  const table = readCsvTable(FILE, files.get(FILE)!, problems);
  if (!table) return null;
  const props = new Map<string, { value: string; row: number }>();
  for (const r of table.rows) props.set(cell(table, r.cells, 'propertyName').toLowerCase(), { value: cell(table, r.cells, 'value'), row: r.row });
  const version = props.get('oneroster.version');
  if (version?.value !== '1.1' && version?.value !== '1.2') {
    problems.push({ file: FILE, row: version?.row ?? null, column: 'value', problem: `oneroster.version must be 1.1 or 1.2 (found ${version ? `"${version.value}"` : 'none'})` });
    return null;
  }
  const modes = new Map<string, FileMode>();
  for (const [prop, { value, row }] of props) {
    if (!prop.startsWith('file.')) continue;
    const name = `${prop.slice('file.'.length)}.csv`;
    const mode = value.toLowerCase() as FileMode;
    if (!MODES.includes(mode)) {
      problems.push({ file: FILE, row, column: 'value', problem: `${prop} must be bulk, delta or absent (found "${value}")` });
    } else if (mode !== 'absent' && !files.has(name)) {
      problems.push({ file: FILE, row, column: 'value', problem: `${name} is marked ${mode} but is not in the zip` });
    } else {
      modes.set(name, mode);
    }
  }
  for (const name of files.keys()) if (name !== FILE && !modes.has(name) && !props.has(`file.${name.replace(/\.csv$/, '')}`)) modes.set(name, 'bulk');
  return { version: version.value, modes };
}
