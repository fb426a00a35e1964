// The skeleton every page shares: load with 加载中 / an error card with 重试 /
// an empty state, pull-to-refresh, paging, and type that follows WeChat's font
// setting (utils/font.js). A page spreads it in by wrapping its definition:
//
//   Page(loadable({
//     data: { items: [] },
//     paging: { list: 'items', cursor: 'nextCursor' },  // optional
//     // Resolves with the data to show; throw (an ApiError) to show the error
//     // card. With paging, called with the cursor (null for the first page).
//     async fetch(cursor) {
//       await ensureLogin()
//       const page = await listIssues({ mine: true, cursor })
//       return { items: page.items.map(issueItemView), nextCursor: page.next_cursor }
//     },
//     onShow() { return this.load() },
//   }))
//
// and its WXML starts with <page-meta root-font-size="{{rootFontSize}}" />,
// then <error-card>, 加载中 and <empty-state> on `error`, `loaded`, `empty`
// (see /components and the usage guide).
//
// What it adds, unless the page defines its own:
//   data: rootFontSize, loaded, error, empty, loadingMore, moreError
//   load()             fetch again; a failure sets `error` (the error card)
//   retry()            the error card's 重试: back to 加载中, then load()
//   refresh()          load() without going back to 加载中
//   onPullDownRefresh  refresh(), then stops the pull-down animation
//   loadMore()         with paging: the next page appended to the list
//   onReachBottom      with paging: loadMore()
//   isEmpty(data)      whether to show the empty state; with paging, an empty
//                      list; otherwise never
// A page may define onLoaded(): it runs after each successful load (e.g. to
// load a part that depends on what was shown), and load() waits for it.
const { rootFontSize } = require('./font')
const { errorMessage } = require('./errors')

const STATE = {
  rootFontSize: '',
  loaded: false,
  error: '',
  empty: false,
  loadingMore: false,
  moreError: '',
}

const methods = {
  // Later answers win: a load started after this one makes its answer stale.
  // While one is in flight (_loading), no next page is asked for.
  load() {
    const seq = (this._loadSeq = (this._loadSeq || 0) + 1)
    const paging = this.pagingConfig()
    this._loading = true
    const settled = () => {
      if (seq === this._loadSeq) this._loading = false
    }
    return Promise.resolve()
      .then(() => this.fetch(paging ? null : undefined))
      .then(
        (patch) => {
          settled()
          if (seq !== this._loadSeq) return
          const next = Object.assign({ loaded: true, error: '', moreError: '' }, patch || {})
          next.empty = Boolean(this.isEmpty(Object.assign({}, this.data, next)))
          this.setData(next)
          return typeof this.onLoaded === 'function' ? this.onLoaded() : undefined
        },
        (err) => {
          settled()
          if (seq !== this._loadSeq) return
          this.setData({ loaded: true, error: errorMessage(err), empty: false })
        }
      )
  },

  retry() {
    this.setData({ error: '', loaded: false })
    return this.load()
  },

  refresh() {
    return this.load()
  },

  onPullDownRefresh() {
    const stop = () => wx.stopPullDownRefresh()
    return this.refresh().then(stop, stop)
  },

  isEmpty(data) {
    const paging = this.pagingConfig()
    return paging ? !(data[paging.list] || []).length : false
  },

  // Nothing happens without a cursor, while a page is coming or while the
  // list is being read again (its cursor is about to change). An answer is
  // dropped when a load started meanwhile or the cursor moved: appended to
  // another first page it would skip or repeat items.
  loadMore() {
    const paging = this.pagingConfig()
    if (!paging) return Promise.resolve()
    const cursor = this.data[paging.cursor]
    if (!cursor || this.data.loadingMore || this._loading) return Promise.resolve()
    const seq = this._loadSeq
    const stale = () => seq !== this._loadSeq || this.data[paging.cursor] !== cursor
    this.setData({ loadingMore: true, moreError: '' })
    return Promise.resolve()
      .then(() => this.fetch(cursor))
      .then(
        (patch) => {
          if (stale()) return this.setData({ loadingMore: false })
          const next = Object.assign({}, patch, { loadingMore: false })
          next[paging.list] = (this.data[paging.list] || []).concat((patch && patch[paging.list]) || [])
          this.setData(next)
        },
        (err) => this.setData(stale() ? { loadingMore: false } : { loadingMore: false, moreError: errorMessage(err) })
      )
  },

  onReachBottom() {
    return this.loadMore()
  },
}

// The page definition with the shared state and handlers; the page's own
// data and functions win. Its onLoad runs after the root font size is set.
function loadable(definition) {
  if (typeof definition.fetch !== 'function') throw new Error('loadable(): the page needs fetch()')
  const page = Object.assign({}, methods, definition)
  // A function, not a field: WeChat copies a page's fields to the instance,
  // but the tests' Page→Component shim (and Component pages) keep functions only.
  const paging = definition.paging || null
  page.pagingConfig = () => paging
  delete page.paging
  page.data = Object.assign({}, STATE, definition.data)
  const onLoad = definition.onLoad
  page.onLoad = function (options) {
    this.setData({ rootFontSize: rootFontSize() })
    return onLoad ? onLoad.call(this, options) : undefined
  }
  return page
}

module.exports = { loadable, PAGE_STATE: STATE }
