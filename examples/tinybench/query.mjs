// Two implementations of the same function, and a third that remembers too much.

/** Builds `a=1&b=2` by concatenating pieces: one small string per character run. */
export function queryStringConcat(params) {
  let out = ''
  for (const key of Object.keys(params)) {
    if (out.length > 0) out += '&'
    out += `${encodeURIComponent(key)}=${encodeURIComponent(String(params[key]))}`
  }
  return out
}

/** The same result in functional style: entries, pairs and joined pieces are all arrays thrown away per call. */
export function queryStringViaArrays(params) {
  return Object.entries(params)
    .map(([key, value]) => [key, String(value)].map(encodeURIComponent))
    .map((pair) => pair.join('='))
    .join('&')
}

/** Parses a query string and memoises the result per input: every distinct input stays in the cache forever. */
const parsed = new Map()
export function parseQueryMemoised(query) {
  let result = parsed.get(query)
  if (result === undefined) {
    result = Object.fromEntries(new URLSearchParams(query))
    parsed.set(query, result)
  }
  return result
}

export function forgetParsedQueries() {
  parsed.clear()
}
