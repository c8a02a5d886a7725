// Two schema validators and a promise queue: schemas per tenant or per request, tasks through a concurrency limit.
// The same tests as vitest/validation-queues.test.js, in CommonJS with Jest's globals.
const Ajv = require('ajv')
const pLimit = require('p-limit')
const { z } = require('zod')

const order = { id: 'o-1', quantity: 3, email: 'buyer@example.com', items: [{ sku: 'A-1', price: 9.5 }] }

describe('zod', () => {
  const Order = z.object({
    id: z.string(),
    quantity: z.number().int().positive(),
    email: z.string().email(),
    items: z.array(z.object({ sku: z.string(), price: z.number() })),
  })
  let tenant = 0

  test('leaks: a schema extended and cached per tenant, fed unique tenants', () => {
    const tenantSchemas = new Map()
    expect(() => {
      const id = `tenant-${++tenant}`
      if (!tenantSchemas.has(id)) tenantSchemas.set(id, Order.extend({ tenant: z.literal(id) }))
      return tenantSchemas.get(id).safeParse({ ...order, tenant: id }).success
    }).not.toLeak()
  })

  test('clean: a schema defined once, a request parsed per call', () => {
    expect(() => Order.safeParse(order).success).not.toLeak()
  })
})

describe('ajv', () => {
  const ajv = new Ajv()
  const orderSchema = () => ({
    type: 'object',
    properties: { id: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } },
    required: ['id', 'quantity'],
  })

  test('leaks: a schema compiled per request', () => {
    expect(() => ajv.compile(orderSchema())(order)).not.toLeak()
  })

  test('clean: a schema compiled once, validated per request', () => {
    const validate = ajv.compile(orderSchema())
    expect(() => validate(order)).not.toLeak()
  })
})

describe('p-limit', () => {
  const limit = pLimit(2)
  const fetchPrice = async (sku) => ({ sku, price: 9.5 })
  let sku = 0

  test('leaks: every task promise kept for a Promise.all that never comes', async () => {
    const pending = []
    await expect(async () => {
      const task = limit(() => fetchPrice(`A-${++sku}`))
      pending.push(task)
      await task
    }).not.toLeak()
  })

  test('clean: each task awaited through the limit', async () => {
    await expect(async () => {
      await limit(() => fetchPrice(`A-${++sku}`))
    }).not.toLeak()
  })
})
