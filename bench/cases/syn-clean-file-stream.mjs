// A file read through a stream per call, piped to a sink that ends. By hand it levels off in steps (+10 KB, then
// −250 KB, then flat over 20,000 calls).
import { createReadStream } from 'node:fs'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'

export const label = 'clean'
export const metric = 'heap'
export const reason = 'Async fn: fs.createReadStream of this file piped into a Writable, awaited to its end.'

const self = fileURLToPath(import.meta.url)
export async function fn() {
  let bytes = 0
  await pipeline(
    createReadStream(self),
    new Writable({
      write(chunk, _encoding, callback) {
        bytes += chunk.length
        callback()
      },
    }),
  )
  return bytes
}
