/** Small helpers shared by the engine, the options and the diagnosis. */

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}

/** "Error: boom" for an Error, the string form of anything else. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/**
 * What a value is, for error messages: "undefined", "null", "number 42", "the string \"fast\"", "an array",
 * "a Map", "an object". Never the value's own `toString`, which may throw or say nothing useful.
 */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value)
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`
  }
  if (typeof value === 'symbol') return `a symbol (${String(value.description ?? '')})`
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return 'an array'
  const tag = Object.prototype.toString.call(value).slice(8, -1)
  const prototype = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null
  const name = typeof prototype?.constructor?.name === 'string' ? prototype.constructor.name : tag
  if (prototype === null || name === 'Object') return 'an object'
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`
}

/** True for `{}` literals and `Object.create(null)`: what options must be. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === null || prototype === Object.prototype || Object.getPrototypeOf(prototype) === null
}
