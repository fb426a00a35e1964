// 缴费记录: my households' WeChat Pay orders, newest first.
const { ensureLogin } = require('../../api/auth')
const { listPayments } = require('../../api/payments')
const { paymentView } = require('../../utils/bills')
const { errorMessage } = require('../../utils/errors')

Page({
  data: {
    loaded: false,
    error: '',
    items: [],
  },

  // Every show: a payment confirmed meanwhile appears as paid.
  onShow() {
    return this.load()
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  async load() {
    try {
      await ensureLogin()
      const { items } = await listPayments()
      this.setData({ loaded: true, error: '', items: items.map(paymentView) })
    } catch (err) {
      this.setData({ loaded: true, error: errorMessage(err) })
    }
  },
})
