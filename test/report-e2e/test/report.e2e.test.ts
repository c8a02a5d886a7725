import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { formatPerCall, type LeakSummaryJson } from '@leakproof/core'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The whole path a user takes: real measurements written as the reporters write them, the real `leakproof report`
// bin, and the page in a real browser, offline.
const here = dirname(fileURLToPath(import.meta.url))
const packageRoot = join(here, '..')
const cli = join(packageRoot, '../../packages/core/dist/cli.mjs')
const artifacts = join(packageRoot, 'artifacts')
const CHROMIUM = process.env.LEAKPROOF_CHROMIUM ?? '/usr/bin/chromium'

let browser: Browser
let summary: LeakSummaryJson
let pageUrl: string

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm build\` first`)
  if (!existsSync(CHROMIUM)) {
    // Never a skip: in CI this test is the only check that the page works in a browser.
    throw new Error(
      `No Chromium at ${CHROMIUM}. Install the system's: \`apt-get install -y chromium\` (Debian; .ci/run does it), ` +
        'or point LEAKPROOF_CHROMIUM at a Chromium binary.',
    )
  }
  mkdirSync(artifacts, { recursive: true })
  const json = join(artifacts, 'leaks.json')
  const html = join(artifacts, 'report.html')
  execFileSync(process.execPath, [join(packageRoot, 'fixtures/measure.mjs'), json], { cwd: packageRoot })
  const output = execFileSync(process.execPath, [cli, 'report', json, '--out', html], {
    cwd: packageRoot,
    encoding: 'utf8',
  })
  expect(output).toMatch(/^leakproof report: 3 leak assertions, 2 leaking → artifacts\/report\.html \(\d+ KiB\)\n$/)
  summary = JSON.parse(readFileSync(json, 'utf8')) as LeakSummaryJson
  pageUrl = pathToFileURL(html).href
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] })
})

afterAll(async () => {
  await browser?.close()
})

describe('leakproof report in Chromium', () => {
  it('shows every assertion, failures first, with its figures, charts and diagnosis, loading nothing else', async () => {
    const [heapLeak, listenerLeak, clean] = summary.entries
    expect([heapLeak?.report.leaked, listenerLeak?.report.leaked, clean?.report.leaked]).toEqual([true, true, false])
    const page = await browser.newPage({ viewport: { width: 1240, height: 900 } })
    const requests: string[] = []
    const problems: string[] = []
    page.on('request', (request) => requests.push(request.url()))
    page.on('pageerror', (error) => problems.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text())
    })
    await page.goto(pageUrl, { waitUntil: 'load' })
    expect(requests).toEqual([pageUrl])
    expect(problems).toEqual([])

    // The table: one row per assertion, the two leaks before the clean one, each figure against its budget.
    const rows = page.locator('#assertions tbody tr')
    await expect.poll(() => rows.count()).toBe(3)
    expect(await rows.locator('td.verdict').allTextContents()).toEqual(['leak', 'leak', 'clean'])
    expect(await rows.locator('td.test').allTextContents()).toEqual(summary.entries.map((entry) => entry.test))
    expect(await rows.locator('td.file').allTextContents()).toEqual(
      summary.entries.map((entry) => `${entry.file}:${entry.line}`),
    )
    const heapCells = await rows.locator('td:nth-child(4)').allTextContents()
    expect(heapCells).toEqual(
      summary.entries.map(
        (entry) =>
          `${formatPerCall(entry.report.metrics.heap.perCall, 'heap')}/ ${formatPerCall(entry.report.metrics.heap.budget, 'heap')}`,
      ),
    )
    // Columns: verdict, test, file, heap, external, handles, descriptors, listeners, calls.
    expect(await rows.nth(1).locator('td:nth-child(8)').getAttribute('class')).toBe('over')
    expect(await rows.locator('td:nth-child(9)').allTextContents()).toEqual(
      summary.entries.map((entry) => entry.report.calls.toLocaleString('en-US')),
    )
    expect(await page.locator('header .count').textContent()).toBe('3 leak assertions, 2 leaking.')

    // A chart per failing metric of each leak (heap always): a point per post-GC reading, the fitted rate and the
    // budget as lines, drawn (non-zero size) in the page.
    for (const [index, entry] of [heapLeak, listenerLeak].entries()) {
      const section = page.locator(`#entry-${index + 1}`)
      const readings = (entry?.report.passes ?? []).reduce((sum, pass) => sum + pass.samples.length, 0)
      const heapChart = section.locator('svg.chart[data-metric="heap"]')
      expect(await heapChart.locator('.pts circle').count()).toBe(readings)
      expect(await heapChart.locator('line.rate').count()).toBe(1)
      expect(await heapChart.locator('line.budget').count()).toBe(1)
      const box = await heapChart.boundingBox()
      expect(box?.width).toBeGreaterThan(300)
      expect(box?.height).toBeGreaterThan(100)
      const caption = await section.locator('figcaption').first().textContent()
      expect(caption).toContain(`fitted ${formatPerCall(entry?.report.metrics.heap.perCall ?? Number.NaN, 'heap')}`)
      expect(caption).toContain(`budget ${formatPerCall(entry?.report.metrics.heap.budget ?? Number.NaN, 'heap')}`)
      // The diagnosis text, as the failure message prints it.
      const text = await section.locator('pre.diagnosis').textContent()
      expect(text).toMatch(/^Leak: /)
      expect(text).toContain('measured calls after')
    }
    expect(await page.locator('#entry-2 svg.chart[data-metric="listeners"] .pts circle').count()).toBeGreaterThan(10)
    // The fitted line rises with the data: its end is higher on screen (smaller y) than its start.
    const rate = page.locator('#entry-1 svg.chart[data-metric="heap"] line.rate')
    expect(Number(await rate.getAttribute('y2'))).toBeLessThan(Number(await rate.getAttribute('y1')))

    // The clean one has no chart section, and its sparkline opens on demand.
    expect(await page.locator('section.entry').count()).toBe(2)
    const spark = rows.nth(2).locator('svg.spark')
    expect(await spark.isVisible()).toBe(false)
    await rows.nth(2).locator('summary').click()
    expect(await spark.isVisible()).toBe(true)
    expect((await spark.locator('polyline').getAttribute('points'))?.split(' ').length).toBeGreaterThan(5)

    await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true })
    expect(statSync(join(artifacts, 'report.png')).size).toBeGreaterThan(10_000)
    // The table and the first chart: what docs/report.png shows.
    await page.screenshot({ path: join(artifacts, 'report-top.png'), clip: { x: 0, y: 0, width: 1240, height: 1120 } })

    // Sorting: by calls, ascending then descending.
    const calls = async () =>
      (await rows.locator('td:nth-child(9)').allTextContents()).map((t) => Number(t.replaceAll(',', '')))
    await page.locator('th button', { hasText: 'calls' }).click()
    const ascending = await calls()
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b))
    await page.locator('th button', { hasText: 'calls' }).click()
    expect(await calls()).toEqual([...ascending].reverse())
    expect(requests).toEqual([pageUrl])
    expect(problems).toEqual([])
    await page.close()
  })
})
