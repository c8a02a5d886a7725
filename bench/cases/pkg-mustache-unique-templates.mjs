// mustache caches every parsed template by its text (janl/mustache.js#730: "Allow internal cache to be
// disabled"). Building the template text with data in it adds a cache entry per call.
import Mustache from 'mustache'

export const label = 'leak'
export const metric = 'heap'
export const reason =
  'mustache@4.2 Mustache.render caches each template text forever; data in the template text adds one entry per call (#730).'
/**
 * What a user needs named to find the bug: mustache's template cache (Writer.templateCache) or the parse that fills
 * it.
 */
export const names = ['templateCache', 'parseTemplate', 'Writer.parse']

let n = 0
export function fn() {
  n++
  return Mustache.render(`Order ${n}: {{item}} x {{count}}`, { item: 'book', count: 2 })
}
