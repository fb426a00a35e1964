// Home: my compound, my households, my roles, and what to do next.
const { ensureLogin } = require('../../api/auth')
const { getMe, notifications } = require('../../api/me')
const { describeUser } = require('../../utils/user')
const { errorMessage } = require('../../utils/errors')
const { open } = require('../../utils/nav')

Page({
  data: {
    loaded: false,
    error: '',
    compounds: [],
    households: [],
    roles: [],
    hasHousehold: false,
    canReview: false,
    canReport: false,
    canHandle: false,
    canPay: false,
    canCollect: false,
    canConfirm: false,
    canSeeCollection: false,
    canSeeReach: false,
    unread: 0,
  },

  // Every show, so a binding approved meanwhile appears on return.
  onShow() {
    return this.load()
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  async load() {
    try {
      await ensureLogin()
      const user = await getMe()
      wx.setStorageSync('user', user)
      const view = describeUser(user)
      this.setData(Object.assign({ loaded: true, error: '' }, view))
      // Every message is about an issue: only members of a compound have any.
      if (view.canReport) await this.loadUnread()
    } catch (err) {
      this.setData({ error: errorMessage(err) })
    }
  },

  // The badge on 消息; without it the home page still works.
  async loadUnread() {
    try {
      const { unread } = await notifications({ limit: 1 })
      this.setData({ unread })
    } catch (err) {
      this.setData({ unread: 0 })
    }
  },

  retry() {
    this.setData({ error: '' })
    return this.load()
  },

  goBind() {
    wx.navigateTo({ url: '/pages/bind/index' })
  },

  goReview() {
    wx.navigateTo({ url: '/pages/review/index' })
  },

  goReport() {
    open('/pages/report/index')
  },

  goIssues() {
    wx.navigateTo({ url: '/pages/issues/index' })
  },

  goInbox() {
    open('/pages/inbox/index')
  },

  goWorkspace() {
    wx.navigateTo({ url: '/pages/workspace/index' })
  },

  goBills() {
    open('/pages/bills/index')
  },

  goCollect() {
    wx.navigateTo({ url: '/pages/collect/index' })
  },

  goMeter() {
    wx.navigateTo({ url: '/pages/meter/index' })
  },

  goConfirm() {
    wx.navigateTo({ url: '/pages/confirm/index' })
  },

  goCollection() {
    wx.navigateTo({ url: '/pages/collection/index' })
  },

  goReach() {
    wx.navigateTo({ url: '/pages/reach/index' })
  },
})
