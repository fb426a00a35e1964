// Render a page's real WXML driven by its real handlers. miniprogram-simulate
// renders components only, so Page() is shimmed to Component() with every
// function of the page as a method; tests call lifecycle hooks themselves
// (page.instance.onLoad(...)) and tap rendered nodes with dispatchEvent('tap').
// Load each page once per test file (simulate's cache, see status-tag.test.js).
const path = require('path')
const simulate = require('miniprogram-simulate')
const { ROOT } = require('./wx')

function loadPage(name) {
  return loadPageWith(name).id
}

// loadPage, also handing back the page's own instances of some modules
// (paths under miniprogram/, e.g. 'utils/privacy.js'): the ones its
// components share, which a test may need to drive.
function loadPageWith(name, files = []) {
  global.Page = (definition) => {
    const methods = {}
    for (const key of Object.keys(definition)) {
      if (typeof definition[key] === 'function') methods[key] = definition[key]
    }
    global.Component({ data: definition.data, methods })
  }
  // simulate runs each component's JS with require(); jest keeps modules in
  // its own registry, so a component a previous page of the file already
  // loaded would not run again (and render nothing). A fresh registry per page
  // runs every component's JS once more.
  let id
  const modules = {}
  jest.isolateModules(() => {
    id = simulate.load(path.join(ROOT, 'pages', name, 'index'), name.replace(/\W/g, '-'), { rootPath: ROOT })
    for (const file of files) modules[file] = require(path.join(ROOT, file))
  })
  return { id, modules }
}

function renderPage(id) {
  const page = simulate.render(id)
  page.attach(document.createElement('parent-wrapper'))
  return page
}

// The trimmed text of every node matching selector.
const texts = (page, selector) => page.querySelectorAll(selector).map((node) => node.dom.textContent.trim())

// Inside a child component: simulate's querySelector stops at component
// boundaries, so give the component a class on the page
// (<error-card class="error" …>) and look inside it:
//   within(page, '.error', '.retry').dispatchEvent('tap')
//   textsWithin(page, '.error', '.error-card-text') → ['服务暂时不可用']
function within(page, host, selector) {
  const component = page.querySelector(host)
  return component ? component.querySelector(selector) : undefined
}

function textsWithin(page, host, selector) {
  return page.querySelectorAll(host).flatMap((component) => texts(component, selector))
}

// Whether a rendered node holds an element with the WXML class `name`
// (simulate prefixes classes with the tag name: "inbox--dot").
const contains = (node, name) =>
  Array.from(node.dom.querySelectorAll('*')).some((el) =>
    Array.from(el.classList).some((c) => c === name || c.endsWith(`--${name}`))
  )

// An attribute of a rendered node as the WXML set it (simulate keeps them on
// the node, camel-cased: attr(node, 'aria-label') reads ariaLabel).
function attr(node, name) {
  const camel = name.replace(/-([a-z])/g, (_, c) => c.toUpperCase())
  const found = node.toJSON().attrs.find((a) => a.name === camel || a.name === name)
  return found ? found.value : undefined
}

module.exports = { loadPage, loadPageWith, renderPage, texts, contains, attr, within, textsWithin, sleep: simulate.sleep }
