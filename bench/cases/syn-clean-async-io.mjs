// Real async I/O: read a small file through the thread pool.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

export const label = 'clean'
export const metric = 'heap'
export const reason = 'Async fn: reads this file with fs.promises.readFile and returns its length.'

const self = fileURLToPath(import.meta.url)
export async function fn() {
  return (await readFile(self)).length
}
