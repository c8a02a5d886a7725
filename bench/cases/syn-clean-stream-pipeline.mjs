// An in-memory stream pipeline per call (Readable.from → PassThrough → Writable), awaited to its end.
import { PassThrough, Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export const label = 'clean'
export const metric = 'heap'
export const reason = 'Async fn: Readable.from(three strings) piped through a PassThrough into a Writable.'

export async function fn() {
  let bytes = 0
  await pipeline(
    Readable.from(['a', 'b', 'c']),
    new PassThrough(),
    new Writable({
      write(chunk, _encoding, callback) {
        bytes += chunk.length
        callback()
      },
    }),
  )
  return bytes
}
