import type { EventEmitter } from 'node:events'

export interface SessionRequest {
  userId: string
  token: string
}

export interface Session {
  userId: string
  token: string
  createdAt: number
  /** Per-session scratch data that handlers fill in. */
  data: Map<string, unknown>
}

/**
 * Keeps the sessions of recent requests so a later request with the same token is served without a lookup.
 * Sessions end when the auth service emits `logout` for their user on the shared event bus.
 */
export interface SessionCache {
  /** Returns the session for the request, creating it on first sight of the token. */
  open(request: SessionRequest): Session
  readonly size: number
}

/** Version 1, as first shipped: every new token adds a session and a `logout` listener that are never removed. */
export function createLeakySessionCache(bus: EventEmitter): SessionCache {
  const sessions = new Map<string, Session>()
  return {
    open(request) {
      const existing = sessions.get(request.token)
      if (existing) return existing
      const session: Session = { ...request, createdAt: Date.now(), data: new Map() }
      sessions.set(request.token, session)
      bus.on('logout', (userId: string) => {
        if (userId === session.userId) sessions.delete(session.token)
      })
      return session
    },
    get size() {
      return sessions.size
    },
  }
}

/**
 * The fix: one `logout` listener for the whole cache, and a bound on the sessions kept (least recently used go first).
 * Call `close()` when the cache is discarded to detach from the bus.
 */
export function createSessionCache(bus: EventEmitter, maxSessions = 500): SessionCache & { close(): void } {
  const sessions = new Map<string, Session>()
  const onLogout = (userId: string) => {
    for (const [token, session] of sessions) if (session.userId === userId) sessions.delete(token)
  }
  bus.on('logout', onLogout)
  return {
    open(request) {
      const existing = sessions.get(request.token)
      if (existing) {
        // Re-insert to mark it most recently used.
        sessions.delete(request.token)
        sessions.set(request.token, existing)
        return existing
      }
      const session: Session = { ...request, createdAt: Date.now(), data: new Map() }
      sessions.set(request.token, session)
      if (sessions.size > maxSessions) {
        const oldest = sessions.keys().next()
        if (!oldest.done) sessions.delete(oldest.value)
      }
      return session
    },
    get size() {
      return sessions.size
    },
    close() {
      bus.off('logout', onLogout)
      sessions.clear()
    },
  }
}
