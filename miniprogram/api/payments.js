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
// paid_at, closed_at, cancelled, closes_at}. Only this says a payment went through. status is
// pending | paid | closed | disputed; disputed: WeChat Pay took an amount other
// than the order's, the bills are unpaid again and the committee refunds the
// money (paid_at is when it was taken).
function getPayment(id) {
  return request({ url: `/api/v1/payments/${id}` })
}

// Cancel an open order: its payer (after closing the WeChat Pay sheet), or the
// unit's liaison or a committee member about to take cash. WeChat Pay is asked
// first. Resolves with the payment: status 'closed' (its bills are unpaid again)
// or, for an order made less than 5 minutes ago (WeChat Pay closes none sooner),
// 'pending' with cancelled: true and closes_at, when its bills are freed. 409
// payment_already_paid (WeChat Pay was paid: now credited), payment_in_progress,
// payment_already_closed, payment_disputed; 403 not_your_payment; 503 pay_unavailable.
function cancelPayment(id) {
  return request({ url: `/api/v1/payments/${id}/cancel`, method: 'POST' })
}

// My households' payments, newest first: {items: [...]}.
function listPayments() {
  return request({ url: '/api/v1/payments' })
}

module.exports = { createPayment, getPayment, cancelPayment, listPayments }
