import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { measureLeak } from '../src/assert.js'
import { runCli } from '../src/cli/main.js'
import { summaryJson } from '../src/summary.js'

const folder = mkdtempSync(join(tmpdir(), 'leakproof-report-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

async function run(...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
    cwd: folder,
    env: {},
  })
  return { code, stdout, stderr }
}

describe('leakproof report', () => {
  it('writes the page next to the JSON by default, and exits 0 whatever the verdicts', async () => {
    const kept: object[] = []
    const report = await measureLeak(() => {
      kept.push({})
    })
    expect(report.leaked).toBe(true)
    writeFileSync(join(folder, 'leaks.json'), JSON.stringify(summaryJson([{ test: 'keeps objects', report }])))
    const result = await run('report', 'leaks.json')
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toMatch(/^leakproof report: 1 leak assertion, 1 leaking → leaks\.html \(\d+ KiB\)\n$/)
    const html = readFileSync(join(folder, 'leaks.html'), 'utf8')
    expect(html).toContain('<svg class="chart" data-metric="heap"')
    expect(html).toContain('keeps objects')
  })

  it('writes to --out', async () => {
    writeFileSync(join(folder, 'empty.json'), JSON.stringify(summaryJson([])))
    expect((await run('report', 'empty.json', '--out', 'sub-page.html')).code).toBe(0)
    expect(readFileSync(join(folder, 'sub-page.html'), 'utf8')).toContain('No leak assertions ran.')
  })

  it('names a bad file and writes nothing (exit 2)', async () => {
    writeFileSync(join(folder, 'bad.json'), '{"entries": 3}')
    const bad = await run('report', 'bad.json', '--out', 'bad.html')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('bad.json: has no "entries" list')
    expect(existsSync(join(folder, 'bad.html'))).toBe(false)
    const missing = await run('report', 'nope.json')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('nope.json: no such file')
  })

  it('rejects a bad command line with its usage (exit 2)', async () => {
    for (const argv of [['report'], ['report', 'a.json', 'b.json'], ['report', 'a.json', '--outt', 'x']]) {
      const result = await run(...argv)
      expect(result.code).toBe(2)
      expect(result.stderr).toContain('Usage: leakproof report FILE [--out FILE]')
    }
    expect((await run('report', 'leaks.json', '--out', 'leaks.json')).code).toBe(2)
  })
})
