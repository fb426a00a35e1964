// Paying an order with WeChat Pay, then asking our server how it went: the
// success callback of wx.requestPayment proves nothing, only the server
// (told by WeChat's notification or its own order query) does.
const { getPayment } = require('../api/payments')
const { PAYMENT_DISPUTED_MESSAGE } = require('./labels')

const POLL_INTERVAL_MS = 1500
// Asked at once, then every 1.5 s: about 9 s in all.
const POLL_ATTEMPTS = 7

// What the bills page says at each step of paying.
const PAY_MESSAGES = {
  confirming: '支付结果确认中…',
  paid: '缴费成功',
  pending: '支付结果确认中，稍后可在缴费记录查看',
  closed: '订单已关闭，本次未完成缴费',
  // WeChat Pay took another amount than the order's: nothing was paid.
  disputed: PAYMENT_DISPUTED_MESSAGE,
  cancelled: '已取消支付。本次订单 30 分钟内未支付将自动关闭，之后可重新缴费',
  failed: '支付未完成。本次订单 30 分钟内未支付将自动关闭，之后可重新缴费',
}

// What wx.requestPayment takes of the server's pay_params (appId is not among them).
const PAY_FIELDS = ['timeStamp', 'nonceStr', 'package', 'signType', 'paySign']

// Show WeChat's payment sheet. Resolves with 'done', 'cancelled' or 'failed';
// 'done' only means the sheet closed after the user paid, not that we were paid.
function requestPayment(payParams) {
  const params = {}
  PAY_FIELDS.forEach((field) => (params[field] = payParams[field]))
  return new Promise((resolve) => {
    wx.requestPayment(
      Object.assign(params, {
        success: () => resolve('done'),
        fail: (res) => resolve(/cancel/.test((res && res.errMsg) || '') ? 'cancelled' : 'failed'),
      })
    )
  })
}

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// Ask the server until the payment is no longer pending, a few times. Resolves
// with the last answer (still pending when WeChat has not told us yet), or null
// when the server could not be asked at all.
async function waitForPayment(paymentId, { attempts = POLL_ATTEMPTS, interval = POLL_INTERVAL_MS } = {}) {
  let last = null
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (attempt) await wait(interval)
    try {
      last = await getPayment(paymentId)
      if (last.status !== 'pending') return last
    } catch (err) {
      // A network hiccup: ask again on the next round.
    }
  }
  return last
}

// The payment's final word as the bills page shows it: paid, closed or
// disputed; anything else (still pending, not asked, a status this version
// does not know) is 'pending', "still being confirmed", never a success.
const SETTLED = ['paid', 'closed', 'disputed']

function paymentOutcome(payment) {
  const status = payment && payment.status
  return SETTLED.includes(status) ? status : 'pending'
}

module.exports = {
  PAY_MESSAGES,
  POLL_INTERVAL_MS,
  POLL_ATTEMPTS,
  requestPayment,
  waitForPayment,
  paymentOutcome,
}
