/**
 * How leak reports travel from Jest's test workers to the reporter.
 *
 * Jest gives test code no field that reaches reporters (jestjs/jest#4547, #15385), so the reporter creates a
 * folder for the run and names it in an environment variable before any worker starts. The set-up file, in the
 * worker, appends one JSON line per `toLeak` to a file named after the test file; the reporter reads and removes
 * those files when Jest hands it that test file's result, and removes the folder at the end of the run.
 * Without the reporter the variable is unset and nothing is written.
 */
import { createHash } from 'node:crypto'
import { appendFileSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'
import type { LeakReport } from '@leakproof/core'

/** Set by the reporter for the run: `<reporter pid>:<folder>`. */
export const REPORT_DIR_ENV = 'LEAKPROOF_JEST_REPORT_DIR'

/** One `toLeak` assertion as the worker records it. */
export interface ReportRecord {
  /** `expect.getState().currentTestName`: describe and test titles joined by spaces; absent outside a test. */
  testName?: string
  /** Absolute path of the test file. */
  testPath?: string
  report: LeakReport
}

export interface ChannelAddress {
  ownerPid: number
  dir: string
}

export function formatAddress(address: ChannelAddress): string {
  return `${address.ownerPid}:${address.dir}`
}

export function parseAddress(value: string | undefined): ChannelAddress | undefined {
  const match = value === undefined ? null : /^(\d+):(.+)$/.exec(value)
  if (!match) return undefined
  return { ownerPid: Number(match[1]), dir: match[2] as string }
}

/**
 * The folder to write to, or undefined when no reporter of this run asked for reports. The address must come
 * from this Jest process (in band) or its parent (a worker): a Jest started by a test inherits the variable but
 * has its own reporter, or none.
 */
export function addressForThisProcess(env: Record<string, string | undefined>, pid: number, ppid: number | undefined) {
  const address = parseAddress(env[REPORT_DIR_ENV])
  if (!address) return undefined
  return address.ownerPid === pid || address.ownerPid === ppid ? address : undefined
}

const fileKey = (testPath: string | undefined) =>
  createHash('sha1')
    .update(testPath ?? '')
    .digest('hex')
    .slice(0, 20)

/** Appends one record; synchronous, so it is on disk before the worker reports the test file as done. */
export function writeRecord(dir: string, record: ReportRecord): void {
  const name = `${fileKey(record.testPath)}.${process.pid}-${threadId}.jsonl`
  appendFileSync(join(dir, name), `${JSON.stringify(record)}\n`)
}

function readRecordFiles(dir: string, names: string[]): ReportRecord[] {
  const records: ReportRecord[] = []
  for (const name of names.sort()) {
    const path = join(dir, name)
    const text = readFileSync(path, 'utf8')
    rmSync(path, { force: true })
    for (const line of text.split('\n')) {
      if (line.trim() !== '') records.push(JSON.parse(line) as ReportRecord)
    }
  }
  return records
}

function listRecordFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith('.jsonl'))
  } catch {
    return []
  }
}

/** Reads and removes the records written for one test file. */
export function takeRecords(dir: string, testPath: string): ReportRecord[] {
  const prefix = `${fileKey(testPath)}.`
  return readRecordFiles(
    dir,
    listRecordFiles(dir).filter((name) => name.startsWith(prefix)),
  )
}

/** Reads and removes every record left in the folder (for example from a test file whose worker crashed). */
export function takeAllRecords(dir: string): ReportRecord[] {
  return readRecordFiles(dir, listRecordFiles(dir))
}
