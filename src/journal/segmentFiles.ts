import * as fs from 'node:fs'
import * as path from 'node:path'
import { crc32c } from './crc32c.js'

// A journal is a directory of segment files `seg-<first seq, 20 digits>.bahij`, each starting with a 32-byte header:
//   "BAHIJRNL" | u32 format version | u32 header length | f64 first seq | u32 crc32c(bytes 0..24) | u32 reserved

export const MAGIC = Buffer.from('BAHIJRNL', 'latin1')
/**
 * Version 2 added LAYOUT and flat records (payloadLayouts.ts), version 3 bar blocks (barBlocks.ts); older segments are
 * still read, and continued with only the records their version holds.
 */
export const FORMAT_VERSION = 3
const OLDEST_READABLE_VERSION = 1
export const HEADER_BYTES = 32
const SEGMENT_NAME = /^seg-(\d{20})\.bahij$/

export interface SegmentRef {
  readonly firstSeq: number
  readonly path: string
}

export const segmentName = (firstSeq: number): string => `seg-${String(firstSeq).padStart(20, '0')}.bahij`

/** The segments in the directory, in seq order. */
export const listSegments = (dir: string): SegmentRef[] =>
  fs
    .readdirSync(dir)
    .flatMap((name) => {
      const m = SEGMENT_NAME.exec(name)
      return m ? [{ firstSeq: Number(m[1]), path: path.join(dir, name) }] : []
    })
    .sort((a, b) => a.firstSeq - b.firstSeq)

export const encodeHeader = (firstSeq: number): Buffer => {
  const h = Buffer.alloc(HEADER_BYTES)
  MAGIC.copy(h, 0)
  h.writeUInt32LE(FORMAT_VERSION, 8)
  h.writeUInt32LE(HEADER_BYTES, 12)
  h.writeDoubleLE(firstSeq, 16)
  h.writeUInt32LE(crc32c(h, 0, 24), 24)
  return h
}

/**
 * Creates the segment file `file` holding just its header and returns it open for writing. The header is written
 * under a temporary name that is then renamed, so a reader (in another process) never finds the segment without
 * its header. The caller fsyncs the directory.
 */
export const createSegment = (file: string, firstSeq: number): number => {
  const tmp = `${file}.tmp`
  const fd = fs.openSync(tmp, 'w')
  try {
    fs.writeSync(fd, encodeHeader(firstSeq))
    fs.renameSync(tmp, file)
  } catch (e) {
    fs.closeSync(fd)
    throw e
  }
  return fd
}

/** Checks a segment header; returns the reason it is not one, or undefined. */
export const checkHeader = (h: Buffer, expectedFirstSeq: number): string | undefined => {
  if (h.length < HEADER_BYTES) return `file is ${h.length} bytes, shorter than a segment header`
  if (!h.subarray(0, 8).equals(MAGIC)) return 'bad magic: not a bahi journal segment'
  const version = h.readUInt32LE(8)
  if (version < OLDEST_READABLE_VERSION || version > FORMAT_VERSION) {
    return `unsupported journal format version ${version} (this build reads ${OLDEST_READABLE_VERSION} to ${FORMAT_VERSION})`
  }
  if (h.readUInt32LE(24) !== crc32c(h, 0, 24)) return 'segment header fails its checksum'
  const first = h.readDoubleLE(16)
  if (first !== expectedFirstSeq) return `header says first seq ${first}, file name says ${expectedFirstSeq}`
  return undefined
}

/** The format version of a header that `checkHeader` accepted. */
export const headerVersion = (h: Buffer): number => h.readUInt32LE(8)

/** fsync a directory so a created or renamed entry survives a crash. */
export const fsyncDir = (dir: string): void => {
  const fd = fs.openSync(dir, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}
