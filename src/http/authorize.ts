import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config';
import type { Policy } from '../services/policy';
import type { Principal } from '../services/principal';
import { operationRouter, operations } from './openapi';
import { oneMedia, paramsOf } from './upload';
import { jsonBody } from './security';

/** The principal of a request that passed authorize(): present on every non-public route. */
export const principalOf = (res: Response): Principal => res.locals.principal as Principal;

const run = (mw: RequestHandler, req: Request, res: Response) =>
  new Promise<void>((resolve, reject) => mw(req, res, (e?: unknown) => (e ? reject(e) : resolve())));

/**
 * Applies the one policy (src/services/policy.ts) to every request, by the access its operation
 * declares in src/http/openapi.ts. A request for no documented route needs credentials, then 404s.
 */
export function authorize(config: Config, policy: Policy): RequestHandler {
  const route = operationRouter(operations(config));
  // The routes with class_id in their body are the recognitions, which take a photo or a video.
  const readForm = oneMedia(config, 'file');
  const readJson = jsonBody(config);
  return async (req, res, next) => {
    const found = route(req.method, req.path);
    const op = found?.op;
    const access = op?.access ?? 'user';
    if (access !== 'public' && res.locals.authError) throw res.locals.authError;
    const p = (res.locals.principal as Principal | undefined) ?? null;
    let classId: string | null = null;
    if (access === 'class:class_id' && p?.role === 'teacher') {
      // The class may be in the body: read it now (the route then finds it read).
      await run(readForm, req, res);
      await run(readJson, req, res);
      const v = paramsOf(req).class_id;
      classId = typeof v === 'string' && v !== '' ? v : null;
    }
    await policy.authorize(p, op?.id ?? '', access, { params: found?.params ?? {}, classId });
    next();
  };
}
