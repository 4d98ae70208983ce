import { AppError } from '../../src/errors';
import { decodeImage } from '../../src/vision/decode';

export const MAX_PIXELS = 60_000_000;
export const decode = (buf: Buffer, maxPixels = MAX_PIXELS) => decodeImage(buf, { maxPixels });

/** The AppError decoding `buf` must fail with. */
export async function decodeError(buf: Buffer, maxPixels = MAX_PIXELS): Promise<AppError> {
  const err = await decode(buf, maxPixels).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}
