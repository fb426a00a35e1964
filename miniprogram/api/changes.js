// Changes of money waiting for a second committee member (两人确认): meter
// readings, voids of readings, fee changes and refunds.
const { request } = require('./request')
const { toQuery } = require('../utils/query')

const changesUrl = (code) => `/api/v1/compounds/${encodeURIComponent(code)}/pending-changes`

// {items: [{id, kind: meter_reading|meter_void|fee_change|refund, status,
// summary, details, effective_period, note, proposed_by, created_at, mine, ...}]}
// (committee, supervisor; 403 committee_only for others).
function pendingChanges(code, { status = 'pending' } = {}) {
  return request({ url: `${changesUrl(code)}${toQuery({ status })}` })
}

// A committee member other than the proposer confirms: only now does it count.
// A flagged reading needs acknowledgeFlag (400 flag_not_acknowledged). 403
// same_person, 409 change_decided (someone else was first) or the change no
// longer holds (bills_in_payment, effective_period_moved, ...).
function confirmChange(code, id, { acknowledgeFlag = false } = {}) {
  return request({
    url: `${changesUrl(code)}/${id}/confirm`,
    method: 'POST',
    data: { acknowledge_flag: Boolean(acknowledgeFlag) },
  })
}

// Reject with a reason (the proposer reads it): nothing changes.
function rejectChange(code, id, reason) {
  return request({ url: `${changesUrl(code)}/${id}/reject`, method: 'POST', data: { reason } })
}

module.exports = { pendingChanges, confirmChange, rejectChange }
