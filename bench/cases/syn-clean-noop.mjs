export const label = 'clean'
export const metric = 'heap'
export const reason = 'Does nothing.'

export function fn() {}
