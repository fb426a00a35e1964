// 谁能收到提醒 (committee): for each unit, whether its liaisons get new issues
// pushed to WeChat (the official account, or subscriptions with N left) or
// only in the inbox; units nobody can be pushed for first, then building leads
// and the committee itself.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { reachability } = require('../../api/compounds')
const { roleCompounds } = require('../../utils/user')
const { REACH_ROLES } = require('../../utils/labels')
const { reachView } = require('../../utils/reach')
const { errorMessage } = require('../../utils/errors')

Page({
  data: {
    loaded: false,
    error: '',
    compounds: [],
    compoundIndex: 0,
    reach: null,
  },

  onLoad() {
    return this.load()
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  async load() {
    try {
      await ensureLogin()
      if (!this.data.compounds.length) {
        const compounds = roleCompounds(await getMe(), REACH_ROLES)
        if (!compounds.length) {
          this.setData({ loaded: true, error: '只有业委会成员可以查看联络人能否收到提醒' })
          return
        }
        this.setData({ compounds })
      }
      const body = await reachability(this.data.compounds[this.data.compoundIndex].code)
      this.setData({ loaded: true, error: '', reach: reachView(body) })
    } catch (err) {
      this.setData({ loaded: true, error: errorMessage(err), reach: null })
    }
  },

  // 重试 under a load error: the same as opening the page again.
  retry() {
    this.setData({ error: '', loaded: false })
    return this.load()
  },

  onCompoundChange(e) {
    this.setData({ compoundIndex: Number(e.detail.value), loaded: false, reach: null })
    return this.load()
  },
})
