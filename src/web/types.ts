/** The shapes of the API answers the page reads (see docs/api.md). */

export interface ClassInfo {
  id: string;
  code: string;
  name: string;
  students?: number;
}

export type ConsentState = 'granted' | 'refused' | 'unknown';

export interface Consent {
  state: ConsentState;
  recorded_at: string | null;
  recorded_by: string | null;
  note: string | null;
}

export interface Student {
  student_id: string;
  name: string;
  email: string | null;
  faces: number;
  consent: Consent;
}

export interface ConsentRecorded {
  student_id: string;
  state: 'granted' | 'refused';
  recorded_at: string;
  recorded_by: string;
  note: string | null;
  erased_faces: number;
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
  photo_id: string | null;
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
  source: 'auto' | 'manual' | 'review';
  /** False: no enrolled face, so the camera cannot have seen them. */
  enrolled: boolean;
}

export interface Detection {
  id: string;
  photo_id: string;
  box: Box;
  status: Face['status'];
  student_id: string | null;
  name: string | null;
  candidates: { student_id: string; similarity: number }[];
  quality_reasons: string[];
  learnable: boolean;
  reviewed: boolean;
  review: { action: 'assigned' | 'dismissed'; by: string; at: string } | null;
}

export interface SessionDetail {
  id: string;
  class_id: string;
  taken_at: string;
  unknown_faces: number;
  photos: { id: string; width: number; height: number; stored: boolean }[];
  attendance: AttendanceRow[];
  detections: Detection[];
}

export type StatusCounts = Record<AttendanceStatus, number>;

export interface ClassStats {
  sessions: (StatusCounts & { id: string; taken_at: string; students: number; rate: number | null })[];
  students: (StatusCounts & { student_id: string; name: string; sessions: number; rate: number | null; chronically_absent: boolean; statuses: (AttendanceStatus | null)[] })[];
  totals: StatusCounts & { rate: number | null };
  chronic_absence_rate: number;
}

export interface SessionSummary {
  id: string;
  taken_at: string;
  present: number;
  absent: number;
  unknown_faces: number;
  photos: number;
}

export interface Me {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'teacher';
  must_change_password: boolean;
  classes: ClassInfo[];
  csrf_token: string | null;
}

export interface UserInfo extends Omit<Me, 'csrf_token'> {
  disabled: boolean;
}

export interface KeyInfo {
  id: string;
  name: string;
  created_at: string;
  revoked_at: string | null;
}

/** GET /api/v1/auth/config: how one may sign in here. */
export interface AuthConfig {
  password: boolean;
  sso: { name: string; start_url: string } | null;
}
