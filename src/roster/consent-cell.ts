/** A roster's optional Consent column: yes/no and their usual spellings; blank records nothing. */

export type ConsentCell = 'granted' | 'refused' | null;

const GRANTED = ['yes', 'y', 'true', 'granted'];
const REFUSED = ['no', 'n', 'false', 'refused'];

/** The decision a cell states, null for a blank one, undefined for anything else (a problem to report). */
export function parseConsentCell(cell: string): ConsentCell | undefined {
  const v = cell.trim().toLowerCase();
  if (v === '') return null;
  if (GRANTED.includes(v)) return 'granted';
  if (REFUSED.includes(v)) return 'refused';
  return undefined;
}
