import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { allocationSites, callIntoHolder, packageOf, type SamplingProfileNode } from '../src/diagnose/sites.js'
import { SourceMapper } from '../src/diagnose/source-map.js'
import type { RetainerPath } from '../src/diagnose/types.js'

// Profiles as V8's sampling heap profiler gives them (frames at their function's start, 0-based), over real source
// files read from disk: which frame is the user's, and which line in it.
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/diagnose/${name}`, import.meta.url))
const ownFile = fileURLToPath(new URL('../src/probes/listeners.ts', import.meta.url))
const mapper = new SourceMapper(new Map())

/** 0-based line and column of `text` in a fixture: where V8 would say that function starts. */
function at(name: string, text: string): { lineNumber: number; columnNumber: number } {
  const lines = readFileSync(fixture(name), 'utf8').split('\n')
  const lineNumber = lines.findIndex((line) => line.includes(text))
  if (lineNumber < 0) throw new Error(`no "${text}" in ${name}`)
  return { lineNumber, columnNumber: (lines[lineNumber] as string).indexOf(text) }
}

let ids = 0
function frame(functionName: string, url: string, where = { lineNumber: 0, columnNumber: 0 }, selfSize = 0) {
  return (...children: SamplingProfileNode[]): SamplingProfileNode => ({
    callFrame: { functionName, url, scriptId: String(++ids), ...where },
    selfSize,
    children,
  })
}

/** The harness's frames above fn: the runner (a dependency), the test, leakproof's call loop. */
function harness(fn: SamplingProfileNode): SamplingProfileNode {
  return frame(
    '(root)',
    '',
  )(
    frame(
      'runTest',
      '/project/node_modules/vitest/dist/runner.js',
    )(frame('(anonymous)', '/project/test/app.test.ts')(frame('callOnce', ownFile)(fn))),
  )
}

describe('allocation sites', () => {
  test('skip leakproof’s own wrapper below fn and name the dependency the user’s function called into', () => {
    const busFile = fixture('request-bus.ts')
    const profile = {
      head: harness(
        frame(
          '(anonymous)',
          '/project/test/app.test.ts',
        )(
          frame(
            'subscribe',
            busFile,
            at('request-bus.ts', 'function subscribe'),
            64,
          )(
            frame(
              'on',
              ownFile,
            )(frame('addListener', 'node:events')(frame('_addListener', 'node:events', undefined, 32)())),
          ),
        ),
      ),
    }
    const [site] = allocationSites(profile, 1, mapper, [])
    expect(site?.function).toBe('subscribe')
    expect(site?.bytesPerCall).toBe(96)
    expect(site?.calls).toEqual({ package: 'node:events', function: 'addListener' })
    // No growing type to look for: the line is the call into the dependency (`on` is `addListener`).
    expect(site?.position.line).toBe(at('request-bus.ts', 'requests.on(').lineNumber + 1)
    expect(site?.precision).toBe('statement')
    expect(site?.stack).toEqual(['(anonymous) (/project/test/app.test.ts:1)'])
  })

  test('charge a constructor’s allocations to the `new` that called it, known by its source without a type', () => {
    const holders = fixture('holders.ts')
    const profile = {
      head: harness(
        frame(
          'track',
          holders,
          at('holders.ts', 'function track'),
        )(frame('Entry', holders, at('holders.ts', 'constructor(readonly id'), 48)()),
      ),
    }
    const [site] = allocationSites(profile, 2, mapper, [])
    expect(site?.function).toBe('track')
    expect(site?.bytesPerCall).toBe(24)
    expect(site?.position.line).toBe(at('holders.ts', 'seen.add(new Entry').lineNumber + 1)
  })

  test('are never a dependency’s frame: the innermost frame of the user’s code is', () => {
    const profile = {
      head: harness(
        frame(
          'handle',
          '/project/src/app.ts',
        )(
          frame(
            'next',
            '/project/node_modules/.pnpm/rxjs@7.8.1/node_modules/rxjs/dist/cjs/internal/Subject.js',
            undefined,
            80,
          )(),
        ),
      ),
    }
    const [site] = allocationSites(profile, 1, mapper, [])
    expect(site?.function).toBe('handle')
    expect(site?.calls).toEqual({ package: 'rxjs', function: 'next' })
  })
})

describe('packageOf', () => {
  test.each([
    ['node:events', 'node:events'],
    ['/p/node_modules/rxjs/dist/cjs/index.js', 'rxjs'],
    ['file:///p/node_modules/.pnpm/@scope+pkg@1.0.0/node_modules/@scope/pkg/index.js', '@scope/pkg'],
  ])('%s is %s', (url, name) => {
    expect(packageOf(url)).toBe(name)
  })
})

describe('callIntoHolder', () => {
  test('names the method of the dependency’s object on the holder path that the site’s function calls', () => {
    const busFile = fixture('request-bus.ts')
    const start = at('request-bus.ts', 'function subscribe')
    const position = { file: busFile, line: start.lineNumber + 1, column: start.columnNumber + 1, mapped: false }
    const site = {
      function: 'subscribe',
      position,
      functionPosition: position,
      precision: 'function' as const,
      bytesPerCall: 64,
      stack: [],
    }
    const path: RetainerPath = {
      target: '(anonymous)()',
      summary: '',
      steps: [
        { edgeKind: 'variable', edge: 'requests', node: 'EventEmitter', nodeKind: 'object', package: 'node:events' },
        { edgeKind: 'property', edge: '_events', node: 'Object', nodeKind: 'object' },
      ],
    }
    const named = callIntoHolder(site, path, mapper)
    expect(named.calls).toEqual({ package: 'node:events', function: 'EventEmitter.on' })
    expect(named.position.line).toBe(at('request-bus.ts', 'requests.on(').lineNumber + 1)
    expect(named.precision).toBe('statement')
  })
})
