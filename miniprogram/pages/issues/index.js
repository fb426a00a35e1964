// 我的报事: issues I reported or filed, newest first, page by page.
const { ensureLogin } = require('../../api/auth')
const { listIssues } = require('../../api/issues')
const { issueItemView } = require('../../utils/issues')
const { errorMessage, showError } = require('../../utils/errors')
const { open } = require('../../utils/nav')

Page({
  data: {
    loaded: false,
    error: '',
    items: [],
    nextCursor: null,
    loadingMore: false,
  },

  // Every show, so a status changed meanwhile appears on return from an issue.
  onShow() {
    return this.load()
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  onReachBottom() {
    return this.loadMore()
  },

  async load() {
    try {
      await ensureLogin()
      const page = await listIssues({ mine: true })
      this.setData({
        loaded: true,
        error: '',
        items: page.items.map(issueItemView),
        nextCursor: page.next_cursor,
      })
    } catch (err) {
      this.setData({ loaded: true, error: errorMessage(err) })
    }
  },

  async loadMore() {
    if (!this.data.nextCursor || this.data.loadingMore) return
    this.setData({ loadingMore: true })
    try {
      const page = await listIssues({ mine: true, cursor: this.data.nextCursor })
      this.setData({
        items: this.data.items.concat(page.items.map(issueItemView)),
        nextCursor: page.next_cursor,
      })
    } catch (err) {
      showError(err)
    } finally {
      this.setData({ loadingMore: false })
    }
  },

  openIssue(e) {
    wx.navigateTo({ url: `/pages/issue/index?id=${e.currentTarget.dataset.id}` })
  },

  goReport() {
    open('/pages/report/index')
  },
})
