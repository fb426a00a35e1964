// 收缴情况 (committee, supervisor): a month's households billed and paid, the
// collection rate, billed and collected money, per building and per unit.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { collectionSummary } = require('../../api/fees')
const { summaryView } = require('../../utils/bills')
const { roleCompounds } = require('../../utils/user')
const { FINANCE_ROLES } = require('../../utils/labels')
const { monthInShanghai, formatMonth } = require('../../utils/format')
const { errorMessage } = require('../../utils/errors')

Page({
  data: {
    loaded: false,
    error: '',
    compounds: [],
    compoundIndex: 0,
    month: '',
    monthText: '',
    thisMonth: '',
    summary: null,
  },

  onLoad() {
    const month = monthInShanghai()
    this.setData({ month, monthText: formatMonth(month), thisMonth: month })
    return this.load()
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  async load() {
    try {
      await ensureLogin()
      if (!this.data.compounds.length) {
        const compounds = roleCompounds(await getMe(), FINANCE_ROLES)
        if (!compounds.length) {
          this.setData({ loaded: true, error: '只有业委会和财务监督可以查看收缴情况' })
          return
        }
        this.setData({ compounds })
      }
      const compound = this.data.compounds[this.data.compoundIndex]
      const summary = await collectionSummary({ compound: compound.code, period: this.data.month })
      this.setData({ loaded: true, error: '', summary: summaryView(summary) })
    } catch (err) {
      this.setData({ loaded: true, error: errorMessage(err), summary: null })
    }
  },

  onCompoundChange(e) {
    this.setData({ compoundIndex: Number(e.detail.value), loaded: false })
    return this.load()
  },

  // <picker mode="date" fields="month">: "YYYY-MM".
  onMonthChange(e) {
    const month = e.detail.value
    this.setData({ month, monthText: formatMonth(month), loaded: false })
    return this.load()
  },
})
