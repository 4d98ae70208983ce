import os from 'node:os';
import * as ort from 'onnxruntime-node';

export interface SessionOptions {
  /** Threads for one inference; default: every core (a recognition is latency-bound). */
  threads?: number;
  /**
   * Graph optimisation level; default 'all'. 'all' adds ORT's NCHWc layout rewrite, which is
   * measured per model (see the callers): it made YuNet 3× faster and fr_feature 3× slower.
   */
  optimization?: 'all' | 'extended';
}

/**
 * Creates a CPU inference session. Inference runs one operator at a time ('sequential') with all
 * cores inside each operator, which is what small conv nets want.
 * Idle worker threads sleep instead of spinning: the cores are shared with sharp and the event
 * loop, and on a busy 2-core box spinning threads made a YuNet tile 1.7× slower. The memory
 * pattern planner is off: it pre-sizes one block per input shape, which for a 1472×1600 YuNet
 * tile cost 70 MB more peak memory for no measurable speed.
 */
export async function createSession(modelPath: string, opts: SessionOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(modelPath, sessionOptions(opts));
}

/** The ORT options createSession uses, for sessions created elsewhere (the embedder's worker threads). */
export function sessionOptions(opts: SessionOptions = {}): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: opts.optimization ?? 'all',
    executionMode: 'sequential',
    enableMemPattern: false,
    intraOpNumThreads: opts.threads ?? os.availableParallelism(),
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}
