// Liaison workspace (工作台): the issues I handle, by tab, and my in-person
// return visits. Tabs are data: each names its GET /issues filters. Above
// them, how many new-issue and reminder pushes WeChat will still bring me, and
// 新报事提醒我, the tap that asks for more.
const { ensureLogin } = require('../../api/auth')
const { listIssues } = require('../../api/issues')
const { myTasks, mySubscriptions } = require('../../api/me')
const { issueItemView, taskView } = require('../../utils/issues')
const { pushView, requestPushes } = require('../../services/push')
const { errorMessage, showError } = require('../../utils/errors')
const { open } = require('../../utils/nav')

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
    // pushView(GET /me/subscriptions); null hides the card (not readable now).
    push: null,
    pushBusy: false,
    // Why the counts could not be read, shown with 重试 in the card's place.
    pushError: '',
    pushRetrying: false,
  },

  // Every show: acting on an issue moves it to another tab, and pushes sent
  // meanwhile have used up some of what I allowed.
  onShow() {
    return Promise.all([this.load(), this.loadPush()])
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

  // The card says nothing rather than something wrong: the issues still work.
  // A failure says so with 重试 instead; a server without the endpoint (404) hides it.
  async loadPush() {
    try {
      await ensureLogin()
      this.setData({ push: pushView(await mySubscriptions()), pushError: '' })
    } catch (err) {
      const gone = err && err.status === 404
      this.setData({ push: null, pushError: gone ? '' : `提醒次数暂时无法读取：${errorMessage(err)}` })
    }
  },

  // 重试 under the counts' error; the button spins until they answer.
  async retryPush() {
    if (this.data.pushRetrying) return
    this.setData({ pushRetrying: true })
    await this.loadPush()
    this.setData({ pushRetrying: false })
  },

  // The tap on 新报事提醒我: WeChat's dialog first (requestPushes calls
  // wx.requestSubscribeMessage before anything else), then the new counts.
  remindMe() {
    const tmplIds = (this.data.push && this.data.push.tmplIds) || []
    if (this.data.pushBusy || !tmplIds.length) return Promise.resolve()
    const asked = requestPushes(tmplIds)
    this.setData({ pushBusy: true })
    return asked.then(({ status, error }) => {
      this.setData(status ? { pushBusy: false, push: pushView(status) } : { pushBusy: false })
      if (error) showError(error)
      else if (status) wx.showToast({ title: '已开启提醒', icon: 'success' })
      else wx.showToast({ title: '没有开启提醒', icon: 'none' })
    })
  },

  openIssue(e) {
    wx.navigateTo({ url: `/pages/issue/index?id=${e.currentTarget.dataset.id}` })
  },

  openTask(e) {
    wx.navigateTo({ url: `/pages/issue/index?id=${e.currentTarget.dataset.id}&return_visit=1` })
  },

  fileForResident() {
    open('/pages/report/index?on_behalf=1')
  },
})
