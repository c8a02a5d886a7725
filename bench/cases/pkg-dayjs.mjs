import dayjs from 'dayjs'

export const label = 'clean'
export const metric = 'heap'
export const reason = 'dayjs@1.11: parse a timestamp, add a day and format, per call.'

const start = Date.UTC(2024, 0, 1)
let n = 0
export function fn() {
  n++
  return dayjs(start + n * 60_000)
    .add(1, 'day')
    .format('YYYY-MM-DD HH:mm')
}
