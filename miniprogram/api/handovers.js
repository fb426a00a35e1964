// Liaison handovers (工作交接): a unit's liaison steps down, a successor takes over.
const { request } = require('./request')
const { toQuery } = require('../utils/query')

const base = (code) => `/api/v1/compounds/${encodeURIComponent(code)}/handovers`

// What handing a unit ("1-2") over would move (committee, or the unit's liaison):
// {unit, unit_label, liaisons: [{user_id, name, issues, return_visits}],
// binding_requests, unpaid_households, candidates: [{user_id, name, roles:
// [{role, label}]}]}. No phone numbers.
function handoverPreview(code, unit) {
  return request({ url: `${base(code)}/preview${toQuery({ unit })}` })
}

// Hand `unit` over to `toUserId` (from `fromUserId`, the liaison stepping down).
// Resolves with the record: {id, unit, unit_label, from_name, to_name, issues:
// [ids], return_visits: [ids], binding_requests, unpaid_households, created_at}.
function handOver(code, { unit, toUserId, fromUserId }) {
  return request({
    url: base(code),
    method: 'POST',
    data: { unit, to_user_id: toUserId, from_user_id: fromUserId },
  })
}

// A compound's handovers, newest first (committee, supervisor): {items, next_before}.
function listHandovers(code, { before, limit } = {}) {
  return request({ url: `${base(code)}${toQuery({ before, limit })}` })
}

module.exports = { handoverPreview, handOver, listHandovers }
