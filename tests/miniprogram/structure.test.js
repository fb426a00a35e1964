/**
 * @jest-environment node
 *
 * How ../../miniprogram is laid out: no module requires itself back through
 * another (api/request ↔ api/auth was such a cycle), and utils/ holds pure
 * helpers only: whatever calls the server (api/) lives in api/ or services/.
 */
const fs = require('fs')
const path = require('path')
const { ROOT } = require('./helpers/wx')

function filesUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'miniprogram_npm' ? [] : filesUnder(full)
    return full.endsWith('.js') ? [full] : []
  })
}

const relative = (file) => path.relative(ROOT, file)

// {"api/request.js": ["api/http.js", "api/auth.js"], ...}: relative requires only.
function requireGraph() {
  const graph = {}
  for (const file of filesUnder(ROOT)) {
    const text = fs.readFileSync(file, 'utf8')
    graph[relative(file)] = Array.from(text.matchAll(/require\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)).map(([, target]) => {
      const full = path.resolve(path.dirname(file), target)
      return relative(full.endsWith('.js') ? full : `${full}.js`)
    })
  }
  return graph
}

function cycles(graph) {
  const found = []
  const state = {}
  const visit = (node, trail) => {
    if (state[node] === 'done') return
    if (state[node] === 'open') {
      found.push(trail.slice(trail.indexOf(node)).concat(node).join(' → '))
      return
    }
    state[node] = 'open'
    for (const next of graph[node] || []) visit(next, trail.concat(node))
    state[node] = 'done'
  }
  Object.keys(graph).forEach((node) => visit(node, []))
  return found
}

test('the cycle finder finds a cycle', () => {
  expect(cycles({ a: ['b'], b: ['c'], c: ['a'] })).toEqual(['a → b → c → a'])
})

test('no module requires itself back through others', () => {
  expect(cycles(requireGraph())).toEqual([])
})

test('every relative require points at a file', () => {
  const graph = requireGraph()
  const missing = Object.entries(graph).flatMap(([file, targets]) =>
    targets.filter((target) => !fs.existsSync(path.join(ROOT, target))).map((target) => `${file} → ${target}`)
  )
  expect(missing).toEqual([])
})

test('utils/ never calls the server: nothing there requires api/ or services/', () => {
  const graph = requireGraph()
  const impure = Object.entries(graph)
    .filter(([file]) => file.startsWith('utils/'))
    .flatMap(([file, targets]) =>
      targets.filter((target) => /^(api|services)\//.test(target)).map((target) => `${file} → ${target}`)
    )
  expect(impure).toEqual([])
})
