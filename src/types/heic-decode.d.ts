/** heic-decode 2.x ships no types: the part of its API that src/vision/heic.ts uses. */
declare module 'heic-decode' {
  /** Straight (not premultiplied) 8-bit RGBA, after the file's irot/imir transforms. */
  interface DecodedImage {
    width: number;
    height: number;
    data: Uint8ClampedArray;
  }
  /** A top-level image, its size read from the header; decode() decodes its pixels. */
  interface HeifImage {
    width: number;
    height: number;
    decode(): Promise<DecodedImage>;
  }
  interface HeicDecode {
    (input: { buffer: Uint8Array }): Promise<DecodedImage>;
    /** Parses the file (no pixels yet); dispose() frees what it holds in the WebAssembly heap. */
    all(input: { buffer: Uint8Array }): Promise<HeifImage[] & { dispose(): void }>;
  }
  const decode: HeicDecode;
  export = decode;
}
