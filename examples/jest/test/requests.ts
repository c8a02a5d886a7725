import type { SessionCache } from '../src/session-cache'

let requestNumber = 0

/** One request from a new visitor: a fresh token every call, as in production traffic. */
export function serveNewVisitor(cache: SessionCache): void {
  requestNumber++
  const session = cache.open({ userId: `user-${requestNumber % 50}`, token: `token-${requestNumber}` })
  session.data.set('lastPath', '/home')
}
