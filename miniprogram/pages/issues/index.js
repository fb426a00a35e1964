// 我的报事: issues I reported or filed, newest first, page by page.
const { ensureLogin } = require('../../api/auth')
const { listIssues } = require('../../api/issues')
const { issueItemView } = require('../../utils/issues')
const { loadable } = require('../../utils/page')
const { REPORT_EXPLAIN } = require('../../utils/words')
const { open } = require('../../utils/nav')

Page(
  loadable({
    data: {
      items: [],
      nextCursor: null,
      explain: REPORT_EXPLAIN,
    },

    paging: { list: 'items', cursor: 'nextCursor' },

    // Every show, so a status changed meanwhile appears on return from an issue.
    onShow() {
      return this.load()
    },

    async fetch(cursor) {
      await ensureLogin()
      const page = await listIssues(cursor ? { mine: true, cursor } : { mine: true })
      return { items: page.items.map(issueItemView), nextCursor: page.next_cursor }
    },

    openIssue(e) {
      wx.navigateTo({ url: `/pages/issue/index?id=${e.currentTarget.dataset.id}` })
    },

    goReport() {
      open('/pages/report/index')
    },
  })
)
