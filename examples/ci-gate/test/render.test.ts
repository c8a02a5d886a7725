import { expect, test } from 'vitest'
import { render } from '../src/render-cache.js'

let visitor = 0

test('rendering a page for each visitor does not leak', () => {
  expect(() => render('<h1>Hello {name}</h1>', `visitor-${visitor++}`)).not.toLeak()
})

test('rendering the same page again does not leak', () => {
  expect(() => render('<h1>Hello {name}</h1>', 'returning visitor')).not.toLeak()
})
