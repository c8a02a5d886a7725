import v8 from 'node:v8'
import { describe, expect, it } from 'vitest'
import { COMPILED_CODE_SPACES } from '../src/index.js'

// V8 moves compiled code between spaces from one major to the next (Node 22 added the trusted spaces for bytecode and
// code metadata). These run on every Node the matrix covers, so a new code-holding space shows up here first.
describe('heap spaces', () => {
  const spaces = v8.getHeapSpaceStatistics()

  it('leaves out every space that holds code, bytecode or builtins, and only those', () => {
    const holdsCode = (name: string) => /code|trusted|read_only/.test(name)
    for (const space of spaces) {
      expect(COMPILED_CODE_SPACES.has(space.space_name), space.space_name).toBe(holdsCode(space.space_name))
    }
    // The old space, where JS objects live, is counted on every major.
    expect(spaces.some((space) => space.space_name === 'old_space')).toBe(true)
  })
})
