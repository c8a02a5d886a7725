import { expect, test } from 'vitest'
import { handleRequest } from '../src/sessions.js'

test('a request opens and closes its session', () => {
  expect(() => handleRequest('ada')).not.toLeak()
})
