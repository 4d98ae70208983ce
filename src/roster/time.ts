/**
 * Dates as a teacher in a given time zone reads them. exceljs writes a Date as the Excel serial
 * of its UTC value, so to make Excel show local wall-clock time we hand it that wall-clock time
 * dressed as UTC (`excel`).
 */

export interface WallClock {
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM (24 h) */
  time: string;
  excel: Date;
}

export const DEFAULT_TIME_ZONE = 'UTC';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function wallClock(d: Date, timeZone = DEFAULT_TIME_ZONE): WallClock {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(d)) parts[p.type] = p.value;
  const { year, month, day, hour, minute, second } = parts;
  return {
    date: `${year}-${month}-${day}`,
    time: `${hour}:${minute}`,
    excel: new Date(Date.UTC(+year, +month - 1, +day, +hour, +minute, +second)),
  };
}

/** Excel number format matching WallClock's date + time. */
export const EXCEL_DATETIME_FORMAT = 'yyyy-mm-dd hh:mm';
