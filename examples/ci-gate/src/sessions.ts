export interface Session {
  id: number
  user: string
  scopes: string[]
}

const open = new Set<Session>()
let nextId = 0

/** Opens a session and closes it when the request ends. */
export function handleRequest(user: string): number {
  const session: Session = { id: nextId++, user, scopes: ['read', 'write'] }
  open.add(session)
  try {
    return session.scopes.length
  } finally {
    // A pull request that drops this line adds a leak: NEW_LEAK=1 plays it in check-workflow.mjs.
    if (process.env.NEW_LEAK !== '1') open.delete(session)
  }
}
