import { z } from 'zod'

export const label = 'clean'
export const metric = 'heap'
export const reason = 'zod@3: a schema defined once, safeParse of a new object per call (valid and invalid in turn).'

const User = z.object({ id: z.number().int(), email: z.string().email(), roles: z.array(z.enum(['admin', 'user'])) })
let n = 0
export function fn() {
  n++
  return User.safeParse({ id: n, email: n % 2 ? `u${n}@example.com` : 'nope', roles: ['user'] }).success
}
