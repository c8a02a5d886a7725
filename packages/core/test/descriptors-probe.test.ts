import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DescriptorProbe, descriptorLimit } from '../src/probes/descriptors.js'

// A leak that used every descriptor must still be read, by stat's size and by the listing (which needs the
// reserve). Real descriptors, in this process: only where its limit makes that quick.
const limit = descriptorLimit()
const quick = process.platform === 'linux' && limit !== undefined && limit <= 65_536

describe.runIf(quick)('descriptor probe with every descriptor in use', () => {
  for (const stat of [true, false]) {
    it(`counts them all and labels them (${stat ? 'stat' : 'listing'})`, () => {
      const probe = new DescriptorProbe({ stat })
      const held: number[] = []
      try {
        const before = probe.count() as number
        try {
          for (;;) held.push(fs.openSync('/dev/null', 'r'))
        } catch (error) {
          expect((error as NodeJS.ErrnoException).code).toBe('EMFILE')
        }
        expect(() => fs.readdirSync('/proc/self/fd')).toThrow(/EMFILE/)
        expect(probe.count()).toBe(before + held.length)
        // The reserve is back: still none free, and the next count reads the same.
        expect(probe.count()).toBe(before + held.length)
        const labels = probe.labels()
        const devNull = [...(labels?.values() ?? [])].filter((label) => label.target === '/dev/null')
        expect(devNull.length).toBeGreaterThanOrEqual(held.length)
      } finally {
        for (const fd of held) fs.closeSync(fd)
        probe.close()
      }
    })
  }
})
