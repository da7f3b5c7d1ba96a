// Pixels of a PNG (the report test's Chromium screenshot), decoded with pngjs.
import { PNG } from 'pngjs';

/** Decoded pixels, 4 bytes (RGBA) per pixel, row-major. */
export interface Image {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** Decodes a PNG file's bytes. */
export function decodePng(buf: Buffer): Image {
  const png = PNG.sync.read(buf);
  return { width: png.width, height: png.height, rgba: png.data };
}

/** How many pixels are within `tolerance` (per channel) of the colour `hex` ('#ff7f0e'). */
export function countColour(img: Image, hex: string, tolerance = 40): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  let n = 0;
  for (let i = 0; i < img.rgba.length; i += 4) {
    if (
      Math.abs(img.rgba[i]! - r) <= tolerance &&
      Math.abs(img.rgba[i + 1]! - g) <= tolerance &&
      Math.abs(img.rgba[i + 2]! - b) <= tolerance
    )
      n++;
  }
  return n;
}
