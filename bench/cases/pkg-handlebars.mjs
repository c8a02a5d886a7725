import Handlebars from 'handlebars'

export const label = 'clean'
export const metric = 'heap'
export const reason = 'handlebars@4.7: a template compiled once, rendered with new data per call.'

const render = Handlebars.compile('<ul>{{#each items}}<li>{{name}}: {{price}}</li>{{/each}}</ul><p>{{user.name}}</p>')
let n = 0
export function fn() {
  n++
  return render({
    user: { name: `user ${n}` },
    items: [
      { name: 'a', price: n },
      { name: 'b', price: n + 1 },
    ],
  }).length
}
