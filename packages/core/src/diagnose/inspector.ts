import inspector from 'node:inspector'

/**
 * A same-thread inspector session whose `post` returns its result directly. On the thread that owns the isolate,
 * V8 answers a message before `post` returns, so diagnosis of a sync fn stays synchronous.
 */
export class SyncInspector {
  private readonly session: inspector.Session

  constructor() {
    this.session = new inspector.Session()
    this.session.connect()
  }

  post<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): T {
    let settled = false
    let failure: Error | null = null
    let value: unknown
    this.session.post(method, params, (error: Error | null, result?: unknown) => {
      settled = true
      failure = error
      value = result
    })
    if (!settled) throw new Error(`inspector did not answer ${method} synchronously`)
    if (failure) throw failure
    return value as T
  }

  /** Calls `listener` for each `event` notification sent while `body` runs. */
  collect<R>(event: string, listener: (params: Record<string, unknown>) => void, body: () => R): R {
    const handler = (message: { params: Record<string, unknown> }) => listener(message.params)
    this.session.on(event, handler)
    try {
      return body()
    } finally {
      this.session.off(event, handler)
    }
  }

  disconnect(): void {
    this.session.disconnect()
  }
}
