/**
 * Showing the login QR code: in the terminal (qrcode-terminal, as the
 * whatsapp-web.js examples do) and as an SVG on the admin page. No QR image
 * library is installed, but qrcode-terminal carries a complete QR encoder
 * (its vendor/QRCode, unchanged since 2017); the SVG is drawn from the same
 * module matrix it prints, so both show the same code.
 */
import { createRequire } from 'node:module';

interface QRCodeModel {
  addData(data: string): void;
  make(): void;
  getModuleCount(): number;
  isDark(row: number, column: number): boolean;
}

const require = createRequire(import.meta.url);
const QRCode = require('qrcode-terminal/vendor/QRCode') as new (typeNumber: number, level: number) => QRCodeModel;
const ErrorCorrection = require('qrcode-terminal/vendor/QRCode/QRErrorCorrectLevel') as Record<'L' | 'M', number>;
const terminal = require('qrcode-terminal') as {
  generate(text: string, options: { small: boolean }, callback: (output: string) => void): void;
};

/** The dark (true) and light modules of the QR code for text, row by row, without the quiet zone. */
export function qrMatrix(text: string): boolean[][] {
  // Level L, the one qrcode-terminal prints: the fewest modules, the easiest to scan off a screen.
  const code = new QRCode(-1, ErrorCorrection.L);
  code.addData(text);
  code.make();
  const size = code.getModuleCount();
  return Array.from({ length: size }, (_, row) =>
    Array.from({ length: size }, (_, column) => code.isDark(row, column)),
  );
}

/** One square per dark module, with the 4-module quiet zone scanners need. */
export function qrSvg(text: string, pixels = 320): string {
  const matrix = qrMatrix(text);
  const quiet = 4;
  const size = matrix.length + quiet * 2;
  const squares = matrix
    .flatMap((row, y) => row.map((dark, x) => (dark ? `M${x + quiet} ${y + quiet}h1v1h-1z` : '')))
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${pixels}" height="${pixels}" ` +
    `shape-rendering="crispEdges" role="img" aria-label="WhatsApp login QR code">` +
    `<rect width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${squares}"/></svg>`
  );
}

/** The compact block-character QR code for a terminal (two modules per character row). */
export function qrTerminal(text: string): string {
  let output = '';
  terminal.generate(text, { small: true }, (printed) => {
    output = printed;
  });
  return output;
}
