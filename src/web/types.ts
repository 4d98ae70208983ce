/** The shapes of the API answers the page reads (see README "HTTP API"). */

export interface ClassInfo {
  id: string;
  code: string;
  name: string;
  students?: number;
}

export interface Student {
  student_id: string;
  name: string;
  email: string | null;
  faces: number;
}

export interface RosterReport {
  added: number;
  updated: number;
  removed: number;
  total: number;
}

export interface RosterProblem {
  row: number;
  column: string;
  problem: string;
}

export interface EnrolResult {
  file: string;
  status: 'enrolled' | 'rejected';
  reason?: string;
  message?: string;
}

export interface EnrolReport {
  student_id: string;
  enrolled: number;
  results: EnrolResult[];
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Face {
  box: Box;
  status: 'matched' | 'unknown' | 'ambiguous';
  reason?: 'too_small';
  student: { student_id: string; name: string } | null;
  similarity: number | null;
}

export interface Recognition {
  session_id: string | null;
  image: { width: number; height: number };
  faces: Face[];
  present: { student_id: string; name: string }[];
  unknown_faces: number;
  warnings: { code: string; message: string }[];
  /** Set when the upload was a clip: each face is then a person tracked across its frames. */
  video?: { duration_s: number; frames_sampled: number };
}

export type AttendanceStatus = 'present' | 'absent' | 'late' | 'excused';

export interface AttendanceRow {
  student_id: string;
  name: string;
  status: AttendanceStatus;
  similarity: number | null;
  source: 'auto' | 'manual';
}

export interface SessionDetail {
  id: string;
  taken_at: string;
  unknown_faces: number;
  photos: { id: string }[];
  attendance: AttendanceRow[];
}

export interface SessionSummary {
  id: string;
  taken_at: string;
  present: number;
  absent: number;
  unknown_faces: number;
  photos: number;
}
