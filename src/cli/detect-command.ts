import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from './commands';
import { FacePipeline } from '../vision/pipeline';
import { pipelineOptions } from '../config';
import { verifyModels } from '../vision/provision';
import { annotate } from '../vision/annotate';
import { UsageError, table } from './open-services';

/** Faces, boxes, quality and per-stage timings of one photo; no database needed. */
export const detect: Command['run'] = async (argv, { config }) => {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { annotate: { type: 'string' }, json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError('detect needs exactly one photo');
  verifyModels(config.modelsDir);
  const pipeline = await FacePipeline.load(config.modelsDir);
  const r = await pipeline.run(fs.readFileSync(positionals[0]), pipelineOptions(config));
  const faces = r.faces.map((f) => ({
    box: { x: Math.round(f.box.x), y: Math.round(f.box.y), width: Math.round(f.box.width), height: Math.round(f.box.height) },
    score: Math.round(f.score * 1000) / 1000,
    quality: { score: Math.round(f.quality.score * 1000) / 1000, reasons: f.quality.reasons },
  }));
  const timings = Object.fromEntries(Object.entries(r.timings).map(([k, v]) => [k, Math.round(v)]));
  if (values.annotate) {
    const labels = r.faces.map((f, i) => ({ box: f.box, text: `#${i + 1}`, colour: f.quality.reasons.length ? ('amber' as const) : ('green' as const) }));
    fs.writeFileSync(values.annotate, await annotate(r.rgb, labels));
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ image: r.image, faces, timings_ms: timings }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${r.image.width}x${r.image.height}, ${faces.length} face(s); ms: ${Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  if (faces.length > 0) {
    process.stdout.write(
      table([
        ['#', 'x', 'y', 'width', 'height', 'score', 'quality', 'reasons'],
        ...faces.map((f, i) => [i + 1, f.box.x, f.box.y, f.box.width, f.box.height, f.score, f.quality.score, f.quality.reasons.join(',') || '-']),
      ]),
    );
  }
  if (values.annotate) process.stdout.write(`annotated image written to ${values.annotate}\n`);
  return 0;
};
