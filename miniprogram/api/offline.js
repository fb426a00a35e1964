// Cash and transfers: recorded by a liaison or committee member, confirmed or
// rejected by a second committee member.
const { request } = require('./request')
const { toQuery } = require('../utils/query')

// body: {bill_ids, method: cash|transfer|other, amount_fen (the bills' total),
// paid_on: "YYYY-MM-DD", receipt_photo?: upload id, note?}. Resolves with the
// record ({id, household_id, household_label: "1-1-101", method, amount_fen,
// paid_on, status: "pending", ...}).
function recordOfflinePayment(body) {
  return request({ url: '/api/v1/offline-payments', method: 'POST', data: body })
}

// A compound's offline payments in one status: {items: [...]}.
function listOfflinePayments({ compound, status = 'pending' }) {
  return request({ url: `/api/v1/offline-payments${toQuery({ compound, status })}` })
}

// 403 same_person when I recorded it myself; 409 when already decided.
function confirmOfflinePayment(id) {
  return request({ url: `/api/v1/offline-payments/${id}/confirm`, method: 'POST' })
}

function rejectOfflinePayment(id, reason) {
  return request({ url: `/api/v1/offline-payments/${id}/reject`, method: 'POST', data: { reason } })
}

module.exports = { recordOfflinePayment, listOfflinePayments, confirmOfflinePayment, rejectOfflinePayment }
