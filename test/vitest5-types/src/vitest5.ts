// Resolved from this package, 'vitest' is Vitest 5 whatever the paths say. This file proves the program is typed by
// Vitest 5 (Assertion<R, T>; Vitest 4.1 has Assertion<T>) and that the matcher the shared usage files load reaches
// Vitest 5's expect (it would augment Vitest 4.1 instead if @leakproof/vitest's own import of 'vitest' went there).
import { type Assertion, expect, expectTypeOf } from 'vitest'

expectTypeOf(expect(1)).toEqualTypeOf<Assertion<void, number>>()
expectTypeOf(expect(async () => 1).not.toLeak()).toEqualTypeOf<Promise<void>>()
expectTypeOf(expect(() => 1).not.toLeak()).toEqualTypeOf<void | Promise<void>>()
