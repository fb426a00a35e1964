// Paying bills with WeChat Pay.
const { request } = require('./request')

// Open an order for unpaid bills of one household. Resolves with
// {payment_id, out_trade_no, total_fen, expires_at, pay_params} (pay_params
// are for wx.requestPayment). 409 bill_not_payable, 503 pay_unavailable /
// pay_not_configured.
function createPayment(billIds) {
  return request({ url: '/api/v1/payments', method: 'POST', data: { bill_ids: billIds } })
}

// How a payment stands: {id, out_trade_no, total_fen, status, created_at,
// paid_at, closed_at}. Only this says a payment went through. status is
// pending | paid | closed | disputed; disputed: WeChat Pay took an amount other
// than the order's, the bills are unpaid again and the committee refunds the
// money (paid_at is when it was taken).
function getPayment(id) {
  return request({ url: `/api/v1/payments/${id}` })
}

// My households' payments, newest first: {items: [...]}.
function listPayments() {
  return request({ url: '/api/v1/payments' })
}

module.exports = { createPayment, getPayment, listPayments }
