// Liaison workspace (工作台): the issues I handle, by tab, and my in-person
// return visits. Tabs are data: each names its GET /issues filters.
const { ensureLogin } = require('../../api/auth')
const { listIssues } = require('../../api/issues')
const { myTasks } = require('../../api/me')
const { issueItemView, taskView } = require('../../utils/issues')
const { errorMessage, showError } = require('../../utils/errors')

const TABS = [
  { key: 'submitted', label: '待受理', filters: { handled: true, status: 'submitted' } },
  { key: 'overdue', label: '超时', filters: { handled: true, overdue: true } },
  { key: 'accepted', label: '处理中', filters: { handled: true, status: 'accepted' } },
  { key: 'referred', label: '已转办', filters: { handled: true, status: 'referred' } },
  { key: 'tasks', label: '上门回访' },
]

const EMPTY_TEXT = {
  submitted: '没有待受理的事项',
  overdue: '没有超时的事项',
  accepted: '没有处理中的事项',
  referred: '没有已转办的事项',
  tasks: '没有要上门回访的事项',
}

const tabOf = (key) => TABS.find((t) => t.key === key) || TABS[0]

Page({
  data: {
    tabs: TABS.map(({ key, label }) => ({ key, label })),
    tab: TABS[0].key,
    emptyText: EMPTY_TEXT[TABS[0].key],
    loaded: false,
    error: '',
    items: [],
    tasks: [],
    nextCursor: null,
    loadingMore: false,
  },

  // Every show: acting on an issue moves it to another tab.
  onShow() {
    return this.load()
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  onReachBottom() {
    return this.loadMore()
  },

  switchTab(e) {
    const tab = e.currentTarget.dataset.tab
    if (tab === this.data.tab) return Promise.resolve()
    this.setData({
      tab,
      emptyText: EMPTY_TEXT[tab],
      loaded: false,
      error: '',
      items: [],
      tasks: [],
      nextCursor: null,
    })
    return this.load()
  },

  // Answers for a tab the user has already left are dropped (`seq`).
  async load() {
    const seq = (this.seq = (this.seq || 0) + 1)
    const tab = tabOf(this.data.tab)
    try {
      await ensureLogin()
      const patch = tab.filters ? await this.firstPage(tab) : await this.taskList()
      if (seq === this.seq) this.setData(Object.assign({ loaded: true, error: '' }, patch))
    } catch (err) {
      if (seq === this.seq) this.setData({ loaded: true, error: errorMessage(err) })
    }
  },

  async firstPage(tab) {
    const page = await listIssues(tab.filters)
    return { items: page.items.map(issueItemView), nextCursor: page.next_cursor }
  },

  async taskList() {
    const { items } = await myTasks()
    return { tasks: items.map(taskView) }
  },

  async loadMore() {
    const tab = tabOf(this.data.tab)
    if (!tab.filters || !this.data.nextCursor || this.data.loadingMore) return
    this.setData({ loadingMore: true })
    try {
      const page = await listIssues(Object.assign({}, tab.filters, { cursor: this.data.nextCursor }))
      if (tab.key === this.data.tab) {
        this.setData({
          items: this.data.items.concat(page.items.map(issueItemView)),
          nextCursor: page.next_cursor,
        })
      }
    } catch (err) {
      showError(err)
    } finally {
      this.setData({ loadingMore: false })
    }
  },

  openIssue(e) {
    wx.navigateTo({ url: `/pages/issue/index?id=${e.currentTarget.dataset.id}` })
  },

  openTask(e) {
    wx.navigateTo({ url: `/pages/issue/index?id=${e.currentTarget.dataset.id}&return_visit=1` })
  },

  fileForResident() {
    wx.navigateTo({ url: '/pages/report/index?on_behalf=1' })
  },
})
