// Collecting fees: who has not paid, a household's unpaid bills, the figures,
// payment anomalies and the daily reconciliation with WeChat Pay.
const { request } = require('./request')
const { toQuery } = require('../utils/query')

// Households with unpaid bills in a month ("YYYY-MM"): a liaison's own units,
// every one for the committee. {items: [{household_id, label, owed_fen, bills}]}.
function unpaidHouseholds({ compound, period }) {
  return request({ url: `/api/v1/fees/unpaid${toQuery({ compound, period })}` })
}

// One household's unpaid bills, for the collector about to take cash (the
// unit's liaison or the committee; 403 otherwise): {items: [bills]}.
function householdUnpaidBills(householdId) {
  return request({ url: `/api/v1/fees/unpaid-bills${toQuery({ household_id: householdId })}` })
}

// A month's collection figures, per building and unit (committee, supervisor):
// {period, households_billed, households_paid, collection_rate, billed_fen,
// collected_fen, by_building: [...], by_unit: [...]}.
function collectionSummary({ compound, period }) {
  return request({ url: `/api/v1/fees/summary${toQuery({ compound, period })}` })
}

const compoundUrl = (code) => `/api/v1/compounds/${encodeURIComponent(code)}`

// Payments that need a look (committee, supervisor; 403 committee_only for
// others), the open ones only unless `open` is false: {items: [{id,
// payment_id, kind: amount_mismatch|amount_disputed|double_payment|
// duplicate_transaction, details: {out_trade_no, bills?, expected?, received?,
// notified?, refund_due_fen?}, created_at, resolved_at, resolution, refunded_fen}]}.
function paymentAnomalies(code, { open = true } = {}) {
  return request({ url: `${compoundUrl(code)}/payment-anomalies${toQuery({ open })}` })
}

// Close an anomaly (committee only): body {resolution: "1-200 chars",
// refunded_fen: integer, at most details.refund_due_fen}. Resolves with the
// anomaly; 403 committee_only, 409 anomaly_resolved, 400 refund_exceeds_due.
function resolveAnomaly(code, id, { resolution, refunded_fen }) {
  return request({
    url: `${compoundUrl(code)}/payment-anomalies/${id}/resolve`,
    method: 'POST',
    data: { resolution, refunded_fen },
  })
}

// Daily reconciliation reports, newest first (committee, supervisor): {items:
// [{day: "2026-11-29", summary: {orders, paid, closed, pending, disputed,
// differences, open_anomalies}, differences: ["…"], started_at}]}.
function paymentReports(code) {
  return request({ url: `${compoundUrl(code)}/payment-reports` })
}

module.exports = {
  unpaidHouseholds,
  householdUnpaidBills,
  collectionSummary,
  paymentAnomalies,
  resolveAnomaly,
  paymentReports,
}
