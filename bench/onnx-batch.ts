/**
 * In-memory edit of an ONNX model (its protobuf bytes) so that its batch dimension is dynamic:
 * for bench:embed's batched variants only. fr_feature's input and output are declared
 * [1, 3, 112, 112] and [1, 512], and its one Reshape (the flatten before the output) has the
 * constant shape [1, -1]; the edit declares dim 0 of every graph input and output as 'batch' and
 * turns a Reshape shape constant [1, …] into [0, …] (ONNX: 0 copies the input's dimension),
 * which is the same for a batch of 1. The bytes go to InferenceSession.create; nothing is
 * written to disk.
 *
 * A minimal protobuf walker, not a full decoder: it copies every field it does not edit as it is.
 * Field numbers from onnx.proto: ModelProto.graph 7; GraphProto.node 1, initializer 5, input 11,
 * output 12; NodeProto.input 1, op_type 4; ValueInfoProto.type 2; TypeProto.tensor_type 1;
 * TypeProto.Tensor.shape 2; TensorShapeProto.dim 1; Dimension.dim_value 1, dim_param 2;
 * TensorProto.data_type 2, name 8, raw_data 9.
 */

interface Field {
  no: number;
  wire: number;
  /** The whole field, key included, as it appears in the message. */
  raw: Uint8Array;
  /** Length-delimited fields: the payload. */
  body?: Uint8Array;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0, shift = 0, b: number;
  do {
    if (pos >= buf.length) throw new Error('protobuf: truncated varint');
    b = buf[pos++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [value, pos];
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  for (let pos = 0; pos < buf.length; ) {
    const start = pos;
    const [key, p] = readVarint(buf, pos);
    pos = p;
    const no = Math.floor(key / 8), wire = key % 8;
    let body: Uint8Array | undefined;
    if (wire === 0) pos = readVarint(buf, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, q] = readVarint(buf, pos);
      body = buf.subarray(q, q + len);
      pos = q + len;
    } else throw new Error(`protobuf: wire type ${wire} not supported`);
    if (pos > buf.length) throw new Error('protobuf: truncated field');
    out.push({ no, wire, raw: buf.subarray(start, pos), body });
  }
  return out;
}

/** A length-delimited field. */
function ld(no: number, body: Uint8Array): Uint8Array {
  return Uint8Array.from([...varint(no * 8 + 2), ...varint(body.length), ...body]);
}

/** Rebuilds a message, replacing the fields for which `edit` returns bytes. */
function rewrite(buf: Uint8Array, edit: (f: Field) => Uint8Array | undefined): Uint8Array {
  return Buffer.concat(fields(buf).map((f) => edit(f) ?? f.raw));
}

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const sub = (f: Field, no: number, fn: (body: Uint8Array) => Uint8Array) => (f.no === no && f.body ? ld(no, fn(f.body)) : undefined);

/** ValueInfoProto with dim 0 of its tensor shape made the symbolic 'batch'. */
function batchDim(valueInfo: Uint8Array): Uint8Array {
  return rewrite(valueInfo, (f) =>
    sub(f, 2, (type) =>
      rewrite(type, (t) =>
        sub(t, 1, (tensor) =>
          rewrite(tensor, (s) =>
            sub(s, 2, (shape) => {
              let first = true;
              return rewrite(shape, (d) => {
                if (d.no !== 1 || !first) return undefined;
                first = false;
                return ld(1, ld(2, Buffer.from('batch')));
              });
            }),
          ),
        ),
      ),
    ),
  );
}

/** An int64 TensorProto [1, …] in raw_data becomes [0, …]. */
function zeroFirst(tensor: Uint8Array): Uint8Array {
  return rewrite(tensor, (f) => {
    if (f.no !== 9 || !f.body) return undefined;
    const v = new BigInt64Array(Uint8Array.from(f.body).buffer);
    if (v[0] !== 1n) throw new Error(`onnx-batch: Reshape shape starts with ${v[0]}, not 1`);
    v[0] = 0n;
    return ld(9, new Uint8Array(v.buffer));
  });
}

/** The model with a dynamic batch dimension (see the top of this file). */
export function withDynamicBatch(model: Uint8Array): Uint8Array {
  return rewrite(model, (f) =>
    sub(f, 7, (graph) => {
      const gs = fields(graph);
      const reshapeShapes = new Set<string>();
      for (const node of gs.filter((g) => g.no === 1 && g.body)) {
        const nf = fields(node.body!);
        const op = nf.find((x) => x.no === 4 && x.body);
        const inputs = nf.filter((x) => x.no === 1 && x.body).map((x) => text(x.body!));
        if (op && text(op.body!) === 'Reshape' && inputs[1]) reshapeShapes.add(inputs[1]);
      }
      const nameOf = (msg: Uint8Array, no: number) => {
        const n = fields(msg).find((x) => x.no === no && x.body);
        return n ? text(n.body!) : '';
      };
      // Older exports also list the weights among the inputs: those keep their shapes.
      const weights = new Set(gs.filter((g) => g.no === 5 && g.body).map((g) => nameOf(g.body!, 8)));
      let edited = 0;
      const out = rewrite(graph, (g) => {
        if ((g.no === 11 || g.no === 12) && g.body && !weights.has(nameOf(g.body, 1))) return ld(g.no, batchDim(g.body));
        if (g.no === 5 && g.body) {
          if (reshapeShapes.has(nameOf(g.body, 8))) {
            edited++;
            return ld(5, zeroFirst(g.body));
          }
        }
        return undefined;
      });
      if (edited !== reshapeShapes.size) throw new Error('onnx-batch: a Reshape shape is not a raw int64 initializer');
      return out;
    }),
  );
}
