// 缴费记录: my households' WeChat Pay orders, newest first.
const { ensureLogin } = require('../../api/auth')
const { listPayments } = require('../../api/payments')
const { paymentView } = require('../../utils/bills')
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
      return { items: items.map(paymentView) }
    },

    isEmpty(data) {
      return !data.items.length
    },
  })
)
