// The bundled datasets: the runtime's real samples (runtime/loaders/samples.ts: SPY from engine-rs/testdata,
// BTCUSDT L2, vega-datasets' S&P 500) copied into the build's `datasets/` at build time, so the page works offline
// and reads the files the CLI reads, through the same `loadFile`.
//
// One exception to "byte for byte": the SPY archives are Zip64 (their central directory says 0xFFFFFFFF for the
// sizes and keeps the real ones in an extra field). The runtime's unzip reads the 32-bit sizes, so it hands the
// inflater the deflate stream plus everything after it; Node's inflater stops at the end of the stream, Chromium's
// DecompressionStream fails ("Junk found after end of compressed data"). Until the runtime reads Zip64 sizes, the
// build re-packs such an archive as a plain zip of the same one file (same name, same content, 32-bit sizes).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Plugin } from 'vite';
import { SAMPLES } from '../src/runtime/loaders/samples.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** A sample's path in the build (datasets/<file name>). */
export function assetPath(samplePath: string): string {
  return `datasets/${samplePath.split('/').pop()}`;
}

/** The single entry of a zip (name and content), and whether its central directory uses Zip64 sizes. */
function zipEntry(zip: Buffer, path: string): { name: string; content: Buffer; zip64: boolean } {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${path}: not a zip archive`);
  if (zip.readUInt16LE(eocd + 10) !== 1) throw new Error(`${path}: expected one file in the archive`);
  const at = zip.readUInt32LE(eocd + 16);
  const method = zip.readUInt16LE(at + 10);
  const size = zip.readUInt32LE(at + 20);
  const name = zip.subarray(at + 46, at + 46 + zip.readUInt16LE(at + 28)).toString('utf8');
  const local = zip.readUInt32LE(at + 42);
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const zip64 = size === 0xffffffff;
  // Inflate stops at the end of the deflate stream, so the Zip64 case needs no size here.
  const data = zip.subarray(start, zip64 ? eocd : start + size);
  if (method !== 0 && method !== 8) throw new Error(`${path}: compression method ${method}`);
  return { name, content: method === 8 ? inflateRawSync(data) : Buffer.from(data), zip64 };
}

/** The MS-DOS date 1980-01-01 (the zip format's epoch; the archive's dates carry no meaning here). */
const DOS_1980_01_01 = (1 << 5) | 1;

/** A plain (non-Zip64) zip archive of one deflated file. */
export function zipOne(name: string, content: Buffer): Buffer {
  const data = deflateRawSync(content, { level: 9 });
  const nameBytes = Buffer.from(name, 'utf8');
  const crc = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt16LE(DOS_1980_01_01, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // version made by
  central.writeUInt16LE(20, 6); // version needed
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(DOS_1980_01_01, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE(0, 42); // local header offset
  const centralAt = local.length + nameBytes.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(centralAt, 16);
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}

/** The bytes bundled for a sample: the file itself, or a Zip64 archive re-packed (see the top of this file). */
export function sampleBytes(path: string): Buffer {
  const bytes = readFileSync(path);
  if (!path.endsWith('.zip')) return bytes;
  const entry = zipEntry(bytes, path);
  return entry.zip64 ? zipOne(entry.name, entry.content) : bytes;
}

/** Vite plugin: emits the samples into the build and serves them from the dev server. */
export function bundledDatasets(): Plugin {
  const files = new Map(SAMPLES.map((s) => [assetPath(s.path), `${repo}${s.path}`]));
  return {
    name: 'cift-bundled-datasets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const source = files.get((req.url ?? '').split('?')[0].replace(/^\//, ''));
        if (!source) return next();
        res.setHeader('content-type', 'application/octet-stream');
        res.end(sampleBytes(source));
      });
    },
    generateBundle() {
      for (const [fileName, source] of files) this.emitFile({ type: 'asset', fileName, source: sampleBytes(source) });
    },
  };
}
