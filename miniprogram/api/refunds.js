// Refunds through WeChat Pay (committee): proposed by one member with a reason,
// sent back to the payer only once a second member confirms it in
// pages/confirm (kind wechat_refund), then followed until WeChat Pay says how
// it ended.
const { request } = require('./request')
const { toQuery } = require('../utils/query')

const compoundUrl = (code) => `/api/v1/compounds/${encodeURIComponent(code)}`

// Propose a refund of one WeChat payment: {payment_id, amount_fen, reason,
// anomaly_id?} → 201 the refund (status proposed). 400
// refund_exceeds_refundable or a bad field, 403 committee_only, 404
// payment_not_found / anomaly_not_found, 409 payment_not_refundable /
// compound_archived, 503 refund_not_configured; each with a message to show.
function proposeRefund(code, { paymentId, amountFen, reason, anomalyId }) {
  const data = { payment_id: paymentId, amount_fen: amountFen, reason }
  if (anomalyId) data.anomaly_id = anomalyId
  return request({ url: `${compoundUrl(code)}/refunds`, method: 'POST', data })
}

// The compound's refunds, newest first: {items: [{id, payment_id,
// out_trade_no, household, amount_fen, reason, status, anomaly_id,
// pending_change_id, proposed_by, confirmed_by, created_at, confirmed_at,
// sent_at, settled_at, received_by, error}]} (committee and supervisor).
function listRefunds(code, { status, paymentId } = {}) {
  const query = toQuery({ status: status || undefined, payment_id: paymentId || undefined })
  return request({ url: `${compoundUrl(code)}/refunds${query}` })
}

// One refund, as listRefunds gives it.
function getRefund(code, id) {
  return request({ url: `${compoundUrl(code)}/refunds/${id}` })
}

// What may still be refunded of a payment: {payment_id, out_trade_no,
// household, paid_fen, refunded_fen, in_flight_fen, refundable_fen,
// merchant_version}.
function refundable(code, paymentId) {
  return request({ url: `${compoundUrl(code)}/payments/${paymentId}/refundable` })
}

module.exports = { proposeRefund, listRefunds, getRefund, refundable }
