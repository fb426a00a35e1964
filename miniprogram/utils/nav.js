// Going to another page. The tab bar's pages (app.json tabBar) can only be
// reached with wx.switchTab, which takes no query string: open() hands the
// query over through getApp().globalData instead, and the tab page reads it
// with takeQuery() in its onShow. Use open() for every page change that may
// land on a tab page; it uses wx.navigateTo for the others.
const TAB_PAGES = ['pages/index/index', 'pages/report/index', 'pages/bills/index', 'pages/inbox/index']

// Where the handed-over queries wait ({path: {key: value}}) when there is no
// app (tests that load a single page).
const fallback = {}

function store() {
  const app = typeof getApp === 'function' ? getApp() : null
  if (!app) return fallback
  app.globalData = app.globalData || {}
  app.globalData.tabQuery = app.globalData.tabQuery || {}
  return app.globalData.tabQuery
}

// "/pages/report/index?on_behalf=1" → {path: 'pages/report/index', query: {on_behalf: '1'}}
function parse(url) {
  const [path, search = ''] = String(url).replace(/^\//, '').split('?')
  const query = {}
  for (const part of search.split('&').filter(Boolean)) {
    const at = part.indexOf('=')
    const key = at < 0 ? part : part.slice(0, at)
    query[decodeURIComponent(key)] = at < 0 ? '' : decodeURIComponent(part.slice(at + 1))
  }
  return { path, query }
}

const isTabPage = (url) => TAB_PAGES.includes(parse(url).path)

function open(url) {
  const { path, query } = parse(url)
  if (!TAB_PAGES.includes(path)) return wx.navigateTo({ url: `/${String(url).replace(/^\//, '')}` })
  store()[path] = query
  return wx.switchTab({ url: `/${path}` })
}

// The query open() handed to this tab page, once ({} when none).
function takeQuery(path) {
  const queries = store()
  const query = queries[path] || {}
  delete queries[path]
  return query
}

module.exports = { TAB_PAGES, parse, isTabPage, open, takeQuery }
