// 缴费记录: my households' WeChat Pay orders, newest first, each with the
// refunds on their way back or arrived ("退款 12.50 元 · 已退回（…）").
const { ensureLogin } = require('../../api/auth')
const { listPayments } = require('../../api/payments')
const { paymentView } = require('../../utils/bills')
const { paymentRefundLines } = require('../../utils/refunds')
const { loadable } = require('../../utils/page')

Page(
  loadable({
    data: {
      items: [],
    },

    // Every show: a payment confirmed meanwhile appears as paid.
    onShow() {
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      const { items } = await listPayments()
      return { items: items.map((p) => Object.assign(paymentView(p), { refunds: paymentRefundLines(p) })) }
    },

    isEmpty(data) {
      return !data.items.length
    },
  })
)
