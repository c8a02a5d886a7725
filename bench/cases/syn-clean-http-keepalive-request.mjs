// An HTTP request per call to one server over the global keep-alive agent. By hand, with optimisation held after
// 300 calls: ~20 B/call over the next 500 calls, ~0.4 B/call up to 10,000, 0.02 B/call after 40,000 — a curve that
// levels off, not a leak.
import { once } from 'node:events'
import http from 'node:http'

export const label = 'clean'
export const metric = 'heap'
export const reason = 'Async fn: one GET per call to a server started once, sockets reused by the keep-alive agent.'

const server = http.createServer((_request, response) => response.end('{"ok":true}'))
server.listen(0, '127.0.0.1')
await once(server, 'listening')
server.unref()
const { port } = server.address()

export function fn() {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/items/7' }, (response) => {
        response.resume()
        response.on('end', resolve)
      })
      .on('error', reject)
  })
}

export function teardown() {
  return new Promise((resolve) => server.close(resolve))
}
