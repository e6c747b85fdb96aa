import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';

/**
 * How much an Excel workbook may unpack to while it is read. An .xlsx file is a zip archive of XML
 * parts, and a few hundred kilobytes of it can unpack to gigabytes (a "zip bomb"): one long string
 * made the reader hold over a gigabyte. So every part is unpacked once here first, counting, and
 * reading stops at the first cap crossed, before the workbook reader sees the file.
 */
export interface WorkbookLimits {
  /** All parts together, unpacked (the sheets stream through; a sheet that comes before the shared strings is spooled to a temporary file). */
  maxUncompressedBytes: number;
  /** The shared strings part, which the reader keeps in memory while the sheet is read. */
  maxSharedStringsBytes: number;
  /** The longest value (text between the XML's tags) a part may hold. */
  maxCellCharacters: number;
}

export const defaultWorkbookLimits: WorkbookLimits = {
  maxUncompressedBytes: 2048 * 1_048_576,
  maxSharedStringsBytes: 200 * 1_048_576,
  maxCellCharacters: 100_000,
};

/** A workbook refused before it was read: the message says why, in words for the person who loaded it. */
export class WorkbookRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkbookRefusedError';
  }
}

interface DirectoryEntry {
  name: string;
  method: number;
  compressedSize: number;
  localOffset: number;
}

const localHeaderSignature = 0x04034b50;
const directorySignature = 0x02014b50;
const endSignature = 0x06054b50;
const descriptorSignature = Buffer.from([0x50, 0x4b, 0x07, 0x08]);

function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1_048_576).toLocaleString('en-GB')} MB`;
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

const notAWorkbook = 'the file is not an Excel workbook (.xlsx): it is not a zip archive as Excel saves one';

/** The central directory: what the archive says it holds. */
async function readDirectory(file: FileHandle, size: number): Promise<{ entries: DirectoryEntry[]; directoryOffset: number }> {
  const tailLength = Math.min(size, 22 + 65_535);
  const tail = await readAt(file, size - tailLength, tailLength);
  let end = -1;
  for (let index = tail.length - 22; index >= 0; index--) {
    if (tail.readUInt32LE(index) === endSignature) {
      end = index;
      break;
    }
  }
  if (end < 0) throw new WorkbookRefusedError(notAWorkbook);
  const count = tail.readUInt16LE(end + 10);
  const directorySize = tail.readUInt32LE(end + 12);
  const directoryOffset = tail.readUInt32LE(end + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    throw new WorkbookRefusedError('the workbook is stored in the ZIP64 format, which the service does not read: save it as CSV instead');
  }
  if (directoryOffset + directorySize > size) throw new WorkbookRefusedError(notAWorkbook);
  const directory = await readAt(file, directoryOffset, directorySize);
  const entries: DirectoryEntry[] = [];
  let at = 0;
  for (let index = 0; index < count; index++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== directorySignature) throw new WorkbookRefusedError(notAWorkbook);
    const nameLength = directory.readUInt16LE(at + 28);
    const entry = {
      method: directory.readUInt16LE(at + 10),
      compressedSize: directory.readUInt32LE(at + 20),
      localOffset: directory.readUInt32LE(at + 42),
      name: directory.subarray(at + 46, at + 46 + nameLength).toString('utf8'),
    };
    if (entry.compressedSize === 0xffffffff || entry.localOffset === 0xffffffff) {
      throw new WorkbookRefusedError('the workbook is stored in the ZIP64 format, which the service does not read: save it as CSV instead');
    }
    entries.push(entry);
    at += 46 + nameLength + directory.readUInt16LE(at + 30) + directory.readUInt16LE(at + 32);
  }
  return { entries: entries.sort((a, b) => a.localOffset - b.localOffset), directoryOffset };
}

/**
 * Counts the characters of each run of text between the XML's angle brackets (a value, or a tag),
 * as UTF-8 characters with an entity (`&amp;`) as one, and says when one is longer than the cap.
 */
class RunLength {
  private run = 0;
  private inEntity = false;
  constructor(private readonly max: number) {}
  /** True when a run has passed the cap. */
  add(chunk: Buffer): boolean {
    let run = this.run;
    let inEntity = this.inEntity;
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index]!;
      if (byte === 0x3c || byte === 0x3e) {
        run = 0;
        inEntity = false;
        continue;
      }
      if (inEntity) {
        if (byte === 0x3b) inEntity = false;
        continue;
      }
      if ((byte & 0xc0) === 0x80) continue;
      if (byte === 0x26) inEntity = true;
      run += 1;
      if (run > this.max) return true;
    }
    this.run = run;
    this.inEntity = inEntity;
    return false;
  }
}

/**
 * Unpacks every part of the workbook at `path` once, counting (into `counted`, for tests), and throws WorkbookRefusedError at the
 * first cap crossed, having unpacked at most a chunk beyond it. Also refuses an archive laid out so
 * that a streaming reader (the workbook reader reads the parts in file order, from their own headers)
 * could find parts its directory does not list: each part must start where the one before ends.
 */
export async function checkWorkbook(path: string, limits: WorkbookLimits = defaultWorkbookLimits, counted: { unpackedBytes: number } = { unpackedBytes: 0 }): Promise<void> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const { entries, directoryOffset } = await readDirectory(file, size);
    let position = 0;
    let total = 0;
    for (const entry of entries) {
      if (entry.localOffset !== position) throw new WorkbookRefusedError(`${notAWorkbook} (its parts are not stored one after another)`);
      const header = await readAt(file, position, 30);
      if (header.length < 30 || header.readUInt32LE(0) !== localHeaderSignature) throw new WorkbookRefusedError(notAWorkbook);
      const flags = header.readUInt16LE(6);
      const method = header.readUInt16LE(8);
      const localCompressedSize = header.readUInt32LE(18);
      const nameLength = header.readUInt16LE(26);
      const name = (await readAt(file, position + 30, nameLength)).toString('utf8');
      if (name !== entry.name || method !== entry.method) throw new WorkbookRefusedError(`${notAWorkbook} (the part ${entry.name} is described two ways)`);
      if (method !== 0 && method !== 8) throw new WorkbookRefusedError(`the workbook's ${entry.name} is compressed in a way Excel does not use`);
      const dataStart = position + 30 + nameLength + header.readUInt16LE(28);
      const dataEnd = dataStart + entry.compressedSize;
      // Sizes after the data (flag 8, no size in the header): a streaming reader finds the part's end by the descriptor's signature.
      const sizeAfterData = (flags & 0x08) !== 0 && localCompressedSize === 0;
      if (!sizeAfterData && localCompressedSize !== entry.compressedSize) throw new WorkbookRefusedError(`${notAWorkbook} (the part ${entry.name} is described two ways)`);
      if (dataEnd > directoryOffset) throw new WorkbookRefusedError(notAWorkbook);
      const partLimit = entry.name === 'xl/sharedStrings.xml' ? Math.min(limits.maxSharedStringsBytes, limits.maxUncompressedBytes) : limits.maxUncompressedBytes;
      total = await unpackCounting(path, entry, { start: dataStart, end: dataEnd, sizeAfterData }, { partLimit, total, limits, counted });
      if (sizeAfterData) {
        const descriptor = await readAt(file, dataEnd, 16);
        if (descriptor.length < 16 || !descriptor.subarray(0, 4).equals(descriptorSignature)) throw new WorkbookRefusedError(`${notAWorkbook} (the part ${entry.name} does not end where its directory says)`);
        position = dataEnd + 16;
      } else {
        position = dataEnd;
      }
    }
    if (position !== directoryOffset) throw new WorkbookRefusedError(`${notAWorkbook} (it holds more than its directory lists)`);
  } finally {
    await file.close();
  }
}

/** Unpacks one part, counting; returns the running total of bytes unpacked. */
async function unpackCounting(
  path: string,
  entry: DirectoryEntry,
  range: { start: number; end: number; sizeAfterData: boolean },
  budget: { partLimit: number; total: number; limits: WorkbookLimits; counted: { unpackedBytes: number } },
): Promise<number> {
  if (range.end === range.start) return budget.total;
  const compressed = createReadStream(path, { start: range.start, end: range.end - 1, highWaterMark: 65_536 });
  const inflater = entry.method === 8 ? createInflateRaw({ chunkSize: 65_536 }) : undefined;
  const runs = /\.(xml|rels)$/i.test(entry.name) ? new RunLength(budget.limits.maxCellCharacters) : undefined;
  let part = 0;
  let total = budget.total;
  let previousTail = Buffer.alloc(0);
  const check = (chunk: Buffer) => {
    part += chunk.length;
    total += chunk.length;
    budget.counted.unpackedBytes = total;
    if (part > budget.partLimit) {
      const variable = entry.name === 'xl/sharedStrings.xml' && budget.partLimit < budget.limits.maxUncompressedBytes ? 'NTG_XLSX_MAX_SHARED_STRINGS_MB' : 'NTG_XLSX_MAX_UNCOMPRESSED_MB';
      throw new WorkbookRefusedError(`the workbook's ${entry.name} unpacks to more than ${megabytes(budget.partLimit)} (the most the service takes, ${variable}): save the data as CSV instead`);
    }
    if (total > budget.limits.maxUncompressedBytes) {
      throw new WorkbookRefusedError(`the workbook's parts together unpack to more than ${megabytes(budget.limits.maxUncompressedBytes)} (the most the service takes, NTG_XLSX_MAX_UNCOMPRESSED_MB): save the data as CSV instead`);
    }
    if (runs?.add(chunk)) {
      throw new WorkbookRefusedError(`the workbook's ${entry.name} holds a value longer than ${budget.limits.maxCellCharacters.toLocaleString('en-GB')} characters, the longest a cell may have`);
    }
  };
  const lookForDescriptor = (chunk: Buffer) => {
    // The descriptor's signature inside the compressed bytes would end the part early for a streaming reader.
    const joined = Buffer.concat([previousTail, chunk]);
    if (joined.includes(descriptorSignature)) throw new WorkbookRefusedError(`${notAWorkbook} (the part ${entry.name} does not end where its directory says)`);
    previousTail = joined.subarray(Math.max(0, joined.length - 3));
  };
  try {
    if (inflater === undefined) {
      for await (const chunk of compressed) {
        if (range.sizeAfterData) lookForDescriptor(chunk as Buffer);
        check(chunk as Buffer);
      }
      return total;
    }
    compressed.on('data', (chunk) => {
      try {
        if (range.sizeAfterData) lookForDescriptor(chunk as Buffer);
      } catch (error) {
        inflater.destroy(error as Error);
      }
    });
    compressed.pipe(inflater);
    compressed.on('error', (error) => inflater.destroy(error));
    for await (const chunk of inflater) check(chunk as Buffer);
    return total;
  } catch (error) {
    if (error instanceof WorkbookRefusedError) throw error;
    throw new WorkbookRefusedError(`the workbook's ${entry.name} cannot be unpacked: ${(error as Error).message}`);
  } finally {
    compressed.destroy();
    inflater?.destroy();
  }
}
