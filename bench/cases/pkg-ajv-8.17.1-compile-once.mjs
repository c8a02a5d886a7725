// ajv 8 used as documented: compile once, validate per call.
import Ajv from 'ajv-v8'

export const label = 'clean'
export const metric = 'heap'
export const reason = 'ajv@8 used as documented: the schema is compiled once, each call validates a new object.'

const validate = new Ajv({ allErrors: true }).compile({
  type: 'object',
  required: ['id', 'email'],
  properties: { id: { type: 'integer' }, email: { type: 'string', maxLength: 80 }, tags: { type: 'array' } },
})
let n = 0
export function fn() {
  return validate({ id: n++, email: n % 2 ? 'a@b.c' : 7, tags: [] })
}
