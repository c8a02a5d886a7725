// ajv 6: compile a schema that arrives as a new object each time (parsed from config or a request).
// v6 caches compiled validators by the serialised schema, so equal schemas share one entry.
import Ajv from 'ajv-v6'

export const label = 'clean'
export const metric = 'heap'
export const reason = 'ajv@6 keys its compile cache by serialised schema: a new but equal schema object hits the cache.'

const ajv = new Ajv()
const schemaText = JSON.stringify({
  type: 'object',
  required: ['id', 'name'],
  properties: { id: { type: 'integer' }, name: { type: 'string', maxLength: 50 } },
})
let n = 0
export function fn() {
  const validate = ajv.compile(JSON.parse(schemaText))
  return validate({ id: n++, name: 'x' })
}
