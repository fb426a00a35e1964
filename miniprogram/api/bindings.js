// Binding a user to a household: by request (a reviewer decides) or by invite code.
const { request } = require('./request')
const { toQuery } = require('../utils/query')

// A compound's buildings and units, for the binding form.
function getCompound(code) {
  return request({ url: `/api/v1/compounds/${encodeURIComponent(code)}` })
}

// consentVersion: the version of the binding notice (GET /consent/binding)
// shown with the form, recorded as the person's consent; left out when unknown.
function requestBinding({ compound, building, unit, room, name, relation, consentVersion }) {
  const data = { compound, building, unit, room, name, relation }
  if (consentVersion) data.consent_version = consentVersion
  return request({ url: '/api/v1/bindings', method: 'POST', data })
}

// Requests the caller may review (liaison: their units; committee: the compound),
// oldest first, a page at a time. Resolves with {items, next_cursor, total}: pass
// next_cursor back as `cursor` for the next page (null: no more).
function listForReview({ status = 'pending', cursor, limit } = {}) {
  return request({ url: `/api/v1/bindings${toQuery({ status, cursor, limit })}` })
}

function approve(id) {
  return request({ url: `/api/v1/bindings/${id}/approve`, method: 'POST' })
}

function reject(id, reason) {
  return request({ url: `/api/v1/bindings/${id}/reject`, method: 'POST', data: { reason } })
}

// Withdraw one's own pending request.
function cancel(id) {
  return request({ url: `/api/v1/bindings/${id}/cancel`, method: 'POST' })
}

// Resolves with {household, user}. `consentVersion`: the binding notice shown.
function redeemInvite({ code, name, relation, consentVersion }) {
  const data = { code, name, relation }
  if (consentVersion) data.consent_version = consentVersion
  return request({ url: '/api/v1/invites/redeem', method: 'POST', data })
}

module.exports = {
  getCompound,
  requestBinding,
  listForReview,
  approve,
  reject,
  cancel,
  redeemInvite,
}
