// No import of @leakproof/vitest: the matcher's types come from `types` in tsconfig.types-field.json.
import { expect, expectTypeOf, test } from 'vitest'

expectTypeOf(expect(() => 1).not.toLeak()).toEqualTypeOf<void | Promise<void>>()
expectTypeOf(expect(async () => 1).not.toLeak()).toEqualTypeOf<Promise<void>>()
test('meta', ({ task }) => {
  expectTypeOf(task.meta.leakproof?.[0]?.leaked).toEqualTypeOf<boolean | undefined>()
})
