// Load a page's definition without rendering it, and make an instance whose
// setData merges into `data` the way WeChat does for top-level keys.
const path = require('path')
const { ROOT } = require('./wx')

function loadPage(name) {
  let definition
  global.Page = jest.fn((def) => {
    definition = def
  })
  // A fresh module registry: each page gets its own api/auth.js state.
  jest.isolateModules(() => require(path.join(ROOT, 'pages', name, 'index.js')))
  return definition
}

function createPage(name) {
  const definition = loadPage(name)
  const page = Object.create(definition)
  page.data = JSON.parse(JSON.stringify(definition.data))
  page.setData = jest.fn(function setData(patch) {
    Object.assign(this.data, patch)
  })
  return page
}

// A tap event on an element carrying data-* attributes.
const tap = (dataset) => ({ currentTarget: { dataset }, detail: {} })
const input = (field, value) => ({ currentTarget: { dataset: { field } }, detail: { value } })

module.exports = { createPage, tap, input }
