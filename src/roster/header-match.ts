/**
 * Finds the header row of a roster by its column names, wherever teachers put it: below
 * titles, in any case, with stray spaces and punctuation ("  student   no. ").
 */

/** One row of a sheet as text; cells[0] is column A. */
export interface GridRow {
  row: number;
  cells: string[];
}

/** A sheet as rows of text; rows() may be called again and starts over. */
export interface Grid {
  sheet: string;
  rows(): Iterable<GridRow>;
}

export interface ColumnRef {
  index: number;
  /** The header as written in the file, for problem reports. */
  label: string;
}

export interface HeaderMap {
  row: number;
  id: ColumnRef;
  name?: ColumnRef;
  first?: ColumnRef;
  last?: ColumnRef;
  email?: ColumnRef;
  consent?: ColumnRef;
}

type Field = 'id' | 'name' | 'first' | 'last' | 'email' | 'consent';

/**
 * Normalised header names, most specific first: when a sheet has both "ID" (often a row
 * number) and "Student ID", the more specific one wins. French names because "Matricule"
 * sheets come with "Nom" and "Prénom".
 */
const SYNONYMS: Record<Field, string[]> = {
  id: ['studentid', 'studentnumber', 'studentno', 'studentnum', 'matricule', 'idnumber', 'idno', 'id'],
  name: ['studentname', 'fullname', 'name'],
  first: ['firstname', 'givenname', 'forename', 'prenom'],
  last: ['lastname', 'surname', 'familyname', 'nom'],
  email: ['email', 'emailaddress', 'studentemail', 'mail', 'courriel'],
  consent: ['consent', 'biometricconsent', 'faceconsent', 'photoconsent'],
};
const FIELDS = Object.keys(SYNONYMS) as Field[];

/** Rows searched for the header, counting only rows that have something in them. */
export const HEADER_SCAN_ROWS = 10;

export const ACCEPTED_HEADERS =
  'a student ID column ("Student ID", "ID", "Student No", "Student Number" or "Matricule") and a name column ' +
  '("Name", "Student Name", "Full Name", or "First Name" and "Last Name"); "Email" and "Consent" are optional';

/** "  Student   No. " → "studentno"; "Prénom" → "prenom"; "Email (optional)" → "email". */
export function normalizeHeader(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/\([^)]*\)/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

export function findHeader(rows: Iterable<GridRow>): HeaderMap | null {
  let scanned = 0;
  for (const r of rows) {
    if (r.cells.every((c) => c === '')) continue;
    const header = matchHeader(r);
    if (header) return header;
    if (++scanned >= HEADER_SCAN_ROWS) return null;
  }
  return null;
}

function matchHeader({ row, cells }: GridRow): HeaderMap | null {
  const best: Partial<Record<Field, { ref: ColumnRef; rank: number }>> = {};
  cells.forEach((label, index) => {
    const key = normalizeHeader(label);
    if (key === '') return;
    for (const field of FIELDS) {
      const rank = SYNONYMS[field].indexOf(key);
      const current = best[field];
      if (rank >= 0 && (!current || rank < current.rank)) best[field] = { ref: { index, label }, rank };
    }
  });
  if (!best.id || !(best.name || (best.first && best.last))) return null;
  return {
    row,
    id: best.id.ref,
    name: best.name?.ref,
    first: best.first?.ref,
    last: best.last?.ref,
    email: best.email?.ref,
    consent: best.consent?.ref,
  };
}
