// An HTTP server framework, a WebSocket library and an HTTP client, tested the way their users test them: a
// server per test or per call on port 0, real requests over loopback.
// The same tests as vitest/http.test.js, in CommonJS with Jest's globals.
const { once } = require('node:events')
const { createServer, get } = require('node:http')
const axios = require('axios')
const express = require('express')
const { WebSocket, WebSocketServer } = require('ws')

const closeServer = (server) =>
  new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))

describe('express', () => {
  const app = express()
  app.get('/items/:id', (req, res) => res.json({ id: req.params.id, ok: true }))

  // node:http as supertest does. Not fetch: on Node 20 a fetch to a new origin per call keeps ~22 KB per origin
  // (measured in plain node over 3,000 calls), a real leak that would make the clean twin leak too.
  const getItem = (server) =>
    new Promise((resolve, reject) => {
      get(`http://127.0.0.1:${server.address().port}/items/7`, (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk) => {
          body += chunk
        })
        response.on('end', () => resolve(JSON.parse(body)))
      }).on('error', reject)
    })

  test('leaks: a server listened per request and never closed', async () => {
    await expect(async () => {
      const server = app.listen(0)
      await once(server, 'listening')
      await getItem(server)
    }).not.toLeak()
  })

  test('clean: a server listened on port 0 and closed per request', async () => {
    await expect(async () => {
      const server = app.listen(0)
      await once(server, 'listening')
      await getItem(server)
      await closeServer(server)
    }).not.toLeak()
  })
})

describe('ws', () => {
  let echo
  beforeAll(async () => {
    echo = new WebSocketServer({ port: 0 })
    echo.on('connection', (socket) => socket.on('message', (data) => socket.send(data)))
    await once(echo, 'listening')
  })
  afterAll(async () => {
    for (const client of echo.clients) client.terminate()
    await closeServer(echo)
  })

  test('leaks: a client connected per message and never closed', async () => {
    await expect(async () => {
      const client = new WebSocket(`ws://127.0.0.1:${echo.address().port}`)
      await once(client, 'open')
      client.send('ping')
      await once(client, 'message')
    }).not.toLeak()
  })

  test('clean: a server and a client per call, both closed', async () => {
    await expect(async () => {
      const server = new WebSocketServer({ port: 0 })
      server.on('connection', (socket) => socket.on('message', (data) => socket.send(data)))
      await once(server, 'listening')
      const client = new WebSocket(`ws://127.0.0.1:${server.address().port}`)
      await once(client, 'open')
      client.send('ping')
      await once(client, 'message')
      client.close()
      await once(client, 'close')
      await closeServer(server)
    }).not.toLeak()
  })
})

describe('axios', () => {
  let server
  let api
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ requestId: req.headers['x-request-id'] ?? null }))
    })
    server.listen(0)
    await once(server, 'listening')
    api = axios.create({ baseURL: `http://127.0.0.1:${server.address().port}` })
  })
  afterAll(() => closeServer(server))

  let requestId = 0

  test('leaks: an interceptor added per request and never ejected', async () => {
    await expect(async () => {
      const id = ++requestId
      api.interceptors.request.use((config) => {
        config.headers['x-request-id'] = String(id)
        return config
      })
      await api.get('/items')
    }).not.toLeak()
  })

  test('clean: an interceptor added per request and ejected after it', async () => {
    api.interceptors.request.clear()
    await expect(async () => {
      const id = ++requestId
      const interceptor = api.interceptors.request.use((config) => {
        config.headers['x-request-id'] = String(id)
        return config
      })
      try {
        await api.get('/items')
      } finally {
        api.interceptors.request.eject(interceptor)
      }
    }).not.toLeak()
  })
})
