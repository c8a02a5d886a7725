// A TCP server and a client per call on loopback, both closed: the lifecycle of a test that starts its own server.
// Measured by hand it levels off; before the measurement held V8's optimisation it read tens of B/call of compiler
// metadata (issue #20, item 2).
import { once } from 'node:events'
import net from 'node:net'

export const label = 'clean'
export const metric = 'heap'
export const reason = 'Async fn: net server listened on port 0, a client connects and reads, both destroyed and closed.'

export async function fn() {
  const server = net.createServer((socket) => socket.end('hi'))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const client = net.connect(server.address().port, '127.0.0.1')
  client.resume()
  await once(client, 'end')
  client.destroy()
  await new Promise((resolve) => server.close(resolve))
}
