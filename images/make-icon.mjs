// Draws images/icon.png (128x128, the Marketplace size) without any image tool: shapes are
// signed-distance functions, 4x4 supersampled for anti-aliasing, written as an RGBA PNG with
// node's zlib. Run: node images/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZE = 128;
const SAMPLES = 4;

const roundedRect = (cx, cy, hw, hh, r) => (x, y) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;
const polygon = (points) => (x, y) => {
  // Inside test by winding + distance to edges: enough for the convex arrow head.
  let inside = false;
  let d = Infinity;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i];
    const [xj, yj] = points[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    const ex = xj - xi, ey = yj - yi;
    const t = Math.max(0, Math.min(1, ((x - xi) * ex + (y - yi) * ey) / (ex * ex + ey * ey)));
    d = Math.min(d, Math.hypot(x - xi - t * ex, y - yi - t * ey));
  }
  return inside ? -d : d;
};

// Layers from back to front: [shape, [r, g, b]].
const layers = [
  [roundedRect(64, 64, 62, 62, 22), [27, 43, 58]],
  // three server units
  ...[30, 52, 74].flatMap((cy) => [
    [roundedRect(52, cy, 34, 8, 3.5), [200, 214, 229]],
    [circle(28, cy, 3), [76, 175, 80]],
    [roundedRect(58, cy, 18, 1.6, 1.6), [120, 140, 160]],
  ]),
  // backup arrow into a tray
  [roundedRect(98, 62, 6, 18, 2), [255, 152, 0]],
  [polygon([[84, 76], [112, 76], [98, 94]]), [255, 152, 0]],
  [roundedRect(64, 106, 44, 4, 2), [255, 152, 0]],
  [roundedRect(22, 98, 2, 10, 2), [255, 152, 0]],
  [roundedRect(106, 98, 2, 10, 2), [255, 152, 0]],
];

const pixels = Buffer.alloc(SIZE * SIZE * 4);
for (let py = 0; py < SIZE; py++) {
  for (let px = 0; px < SIZE; px++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const x = px + (sx + 0.5) / SAMPLES;
        const y = py + (sy + 0.5) / SAMPLES;
        let color = null;
        for (const [shape, c] of layers) if (shape(x, y) <= 0) color = c;
        if (color) { r += color[0]; g += color[1]; b += color[2]; a += 1; }
      }
    }
    const i = (py * SIZE + px) * 4;
    if (a > 0) { pixels[i] = r / a; pixels[i + 1] = g / a; pixels[i + 2] = b / a; }
    pixels[i + 3] = Math.round((a / (SAMPLES * SAMPLES)) * 255);
  }
}

function crc32(buf) {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) pixels.copy(raw, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = join(dirname(fileURLToPath(import.meta.url)), 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
