// Paying an order with WeChat Pay, then asking our server how it went: the
// success callback of wx.requestPayment proves nothing, only the server
// (told by WeChat's notification or its own order query) does.
const { getPayment, cancelPayment } = require('../api/payments')
const { PAYMENT_DISPUTED_MESSAGE } = require('../utils/labels')
const { formatTime } = require('../utils/format')

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
  // The order could not be cancelled (the network): it closes by itself.
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

// "12:05": when a cancelled order is closed (its closes_at).
const clockOf = (iso) => formatTime(iso).slice(11, 16)

// What cancelling came to, from the cancelled payment: closed now (its bills
// free), or closed at closes_at (WeChat Pay closes no order in its first 5
// minutes; its bills wait until then).
function cancelledMessage(payment) {
  if (payment && payment.status === 'closed') return '订单已取消，账单已恢复为待缴，可以重新选择账单缴费'
  const when = clockOf(payment && payment.closes_at)
  return `订单已取消。微信支付要求下单 5 分钟后才能关闭订单，${when} 后账单恢复为待缴；仍缴这些账单，可直接再点“去缴费”`
}

// After the resident closed the WeChat Pay sheet: cancel the order, so other
// bills can be chosen at once. Resolves with {state, message} for the bills
// page: 'cancelled'; 'paid' when WeChat Pay was paid after all (the server
// credited it); 'pending' while a payment is going through.
async function cancelAfterSheet(paymentId) {
  try {
    return { state: 'cancelled', message: '已取消支付。' + cancelledMessage(await cancelPayment(paymentId)) }
  } catch (err) {
    if (err.code === 'payment_already_paid') return { state: 'paid', message: PAY_MESSAGES.paid }
    if (err.code === 'payment_in_progress') return { state: 'pending', message: PAY_MESSAGES.pending }
    return { state: 'cancelled', message: PAY_MESSAGES.cancelled }
  }
}

module.exports = {
  PAY_MESSAGES,
  POLL_INTERVAL_MS,
  POLL_ATTEMPTS,
  requestPayment,
  waitForPayment,
  paymentOutcome,
  cancelledMessage,
  cancelAfterSheet,
}
