import { Router, type Request, type Response } from 'express';
import type { Services } from '../../services/services';
import { z } from 'zod';
import { flag, optionalNumber, parseInput } from '../../services/validate';
import { principalOf } from '../authorize';
import type { Recognition } from '../../services/recognition';
import { fileOf, oneMedia, paramsOf, uploadBytes } from '../upload';

/** Stage timings and face count of a recognition, for the request log line and the metrics. */
export function publishStats(res: Response, result: Recognition): void {
  res.locals.timings = result.timings_ms;
  res.locals.faces = result.faces.length;
}

const RecognitionParams = z.object({ threshold: optionalNumber(0.05, 0.95), record: flag, annotate: flag, live: flag });

export function recognitionRoutes(s: Services): Router {
  const r = Router();

  async function run(req: Request, res: Response, jsonFields: string[]) {
    const file = fileOf(req, 'file', jsonFields, uploadBytes(s.config));
    const p = paramsOf(req);
    const classId = typeof p.class_id === 'string' && p.class_id !== '' ? p.class_id : null;
    const { threshold, record, annotate, live } = parseInput(RecognitionParams, p);
    const out = await s.recognition.recognize(file.data, { classId, threshold, record, actor: principalOf(res).actor, signal: res.locals.signal, live });
    publishStats(res, out.result);
    return { ...out, annotate };
  }

  async function sendJpeg(res: Response, annotated: () => Promise<Buffer>, result: Recognition) {
    const jpeg = await annotated();
    res.setHeader('Content-Type', 'image/jpeg');
    if (result.session_id) res.setHeader('X-Session-Id', result.session_id);
    res.send(jpeg);
  }

  // The classic answer: named students, then the count of faces not named.
  r.post('/recognize_faces', oneMedia(s.config, 'file'), async (req, res) => {
    const { result, annotated, annotate } = await run(req, res, ['file', 'image']);
    if (annotate) return sendJpeg(res, annotated, result);
    res.json([...result.present.map((p) => ({ 'Student Name': p.name, ID: p.student_id })), { unknown_faces: result.unknown_faces }]);
  });

  r.post('/api/v1/recognitions', oneMedia(s.config, 'file'), async (req, res) => {
    const { result, annotated, annotate } = await run(req, res, ['image', 'file']);
    if (annotate) return sendJpeg(res, annotated, result);
    res.json(result);
  });
  return r;
}
