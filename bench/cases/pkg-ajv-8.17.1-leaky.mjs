// ajv 8: the same user code as pkg-ajv-6.12.6-clean. Since v7 the cache key is the schema object itself,
// so every new (equal) schema is compiled again and kept (ajv-validator/ajv#1413, #2134, #2557).
import Ajv from 'ajv-v8'

export const label = 'leak'
export const metric = 'heap'
export const reason =
  'ajv@8 caches compiled validators by schema object identity: a new equal schema per call is kept (ajv#1413).'
/**
 * What a user needs named to find the bug: ajv's compile and its cache of compiled schemas (SchemaEnv, keyed by schema
 * object in ajv._cache).
 */
export const names = ['compile', 'compileSchema', '_addSchema', 'SchemaEnv', '_cache']

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
