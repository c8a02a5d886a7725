export const label = 'clean'
export const metric = 'heap'
export const reason = 'Async fn: awaits a setTimeout(0) and returns a fresh object.'

export async function fn() {
  await new Promise((resolve) => setTimeout(resolve, 0))
  return { done: true }
}
