// An HTTP server per call on port 0, one request to it over node:http, then closed (the express clean twin of
// bench/real-world without express). Measured by hand (GC every 5,000 calls) it wanders within ±100 KB and levels off.
import { once } from 'node:events'
import http from 'node:http'

export const label = 'clean'
export const metric = 'heap'
export const reason = 'Async fn: http server listened on port 0, one GET answered, server closed.'

function get(port) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/items/7' }, (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk) => {
          body += chunk
        })
        response.on('end', () => resolve(body))
      })
      .on('error', reject)
  })
}

export async function fn() {
  const server = http.createServer((_request, response) => response.end('{"ok":true}'))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  await get(server.address().port)
  await new Promise((resolve) => server.close(resolve))
}
