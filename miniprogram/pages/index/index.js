// Home: my compound, my households, my roles, and what to do next.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { describeUser } = require('../../utils/user')
const { errorMessage } = require('../../utils/errors')

Page({
  data: {
    loaded: false,
    error: '',
    compounds: [],
    households: [],
    roles: [],
    hasHousehold: false,
    canReview: false,
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
      this.setData(Object.assign({ loaded: true, error: '' }, describeUser(user)))
    } catch (err) {
      this.setData({ error: errorMessage(err) })
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
})
