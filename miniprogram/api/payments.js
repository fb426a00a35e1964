// Paying bills with WeChat Pay.
const { request } = require('./request')

// Open an order for unpaid bills of one household. Resolves with
// {payment_id, out_trade_no, total_fen, expires_at, pay_params} (pay_params
// are for wx.requestPayment). 409 bill_not_payable, 503 pay_unavailable /
// pay_not_configured.
function createPayment(billIds) {
  return request({ url: '/api/v1/payments', method: 'POST', data: { bill_ids: billIds } })
}

// How a payment stands: {id, out_trade_no, total_fen, status: pending|paid|closed,
// created_at, paid_at, closed_at}. Only this says a payment went through.
function getPayment(id) {
  return request({ url: `/api/v1/payments/${id}` })
}

// My households' payments, newest first: {items: [...]}.
function listPayments() {
  return request({ url: '/api/v1/payments' })
}

module.exports = { createPayment, getPayment, listPayments }
