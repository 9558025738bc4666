/**
 * Real, small file bodies for the files respondents "uploaded" into seeded conversations. A client
 * that downloads `/api/v2/file/{fileId}` must get bytes a viewer can open (a PNG that decodes, a PDF
 * with a page, UTF-8 text), not a placeholder, so that content-type handling and streaming are
 * exercised for real. Everything is built in code, so no binary fixture has to live in the repo.
 */
import { deflateSync } from 'node:zlib';
import type { Rng } from '../../../simulators/common/rng.js';

export type FileKind = 'png' | 'pdf' | 'txt';

export interface StoredFile {
  id: number;
  /** The v1 id of the conversation the file was uploaded into. */
  conversationId: number;
  fileName: string;
  contentType: string;
  bytes: Buffer;
  /** A deleted file still shows up in the conversation's data (`deleted: true`), but downloads answer 404. */
  deleted: boolean;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

// zlib.crc32 only exists from Node 20.15/22.2; a table-driven CRC keeps us independent of that.
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A 32×32 RGB PNG: a diagonal gradient between two seeded colours (a "photo" of a parcel label). */
export function buildPng(rng: Rng): Buffer {
  const size = 32;
  const a = [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)];
  const b = [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)];
  const raw = Buffer.alloc(size * (1 + size * 3));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + size * 3);
    raw[row] = 0; // filter type "None"
    for (let x = 0; x < size; x++) {
      const t = (x + y) / (2 * (size - 1));
      for (let c = 0; c < 3; c++) {
        raw[row + 1 + x * 3 + c] = Math.round((a[c] as number) * (1 - t) + (b[c] as number) * t);
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A one-page PDF 1.4 with a correct xref table. The built-in Helvetica font has no Cyrillic, so
 * the page text is transliterated; the document is a referral ("направление") to a clinic.
 */
export function buildPdf(lines: string[]): Buffer {
  const escape = (s: string) => s.replace(/[\\()]/g, (m) => `\\${m}`);
  const text = lines.map((line, i) => `BT /F1 14 Tf 72 ${770 - i * 22} Td (${escape(line)}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(text, 'latin1')} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

export function buildTxt(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

export const CONTENT_TYPES: Record<FileKind, string> = {
  png: 'image/png',
  pdf: 'application/pdf',
  txt: 'text/plain; charset=utf-8',
};
