// Appointing people: role invites, the compound's people, revoking a role,
// committee terms and the audit log (任免记录).
const { request } = require('./request')
const { toQuery } = require('../utils/query')

const compoundUrl = (code) => `/api/v1/compounds/${encodeURIComponent(code)}`

// A one-time code for a role (committee only): {role, unit: "1-2"} for a
// liaison, {role, building: 1} for a building lead, {role} for committee and
// supervisor; optional name and term_end ("YYYY-MM-DD", committee). Resolves
// with {id, code, qr: "data:image/png;base64,...", expires_at, role,
// role_label, scope_label, title, name, term_end}.
function createRoleInvite(code, { role, unit, building, name, termEnd }) {
  const data = { role }
  if (unit) data.unit = unit
  if (building) data.building = building
  if (name) data.name = name
  if (termEnd) data.term_end = termEnd
  return request({ url: `${compoundUrl(code)}/role-invites`, method: 'POST', data })
}

// Invites still waiting to be taken up, without codes: {items}.
function listRoleInvites(code) {
  return request({ url: `${compoundUrl(code)}/role-invites` })
}

function revokeRoleInvite(code, id) {
  return request({ url: `${compoundUrl(code)}/role-invites/${id}/revoke`, method: 'POST' })
}

// Anyone signed in: resolves with {role, role_label, scope_label, title,
// compound: {code, name}}.
function redeemRoleInvite(inviteCode) {
  return request({ url: '/api/v1/role-invites/redeem', method: 'POST', data: { code: inviteCode } })
}

// Committee and supervisor, a page at a time (50 people; `cursor` is the
// previous page's next_cursor): {items: [{membership_id, user_id, name, role,
// role_label, scope_label, title, since, term_start, term_end,
// due_for_reelection, reachable, channel, phone}], total, counts: {role: n},
// next_cursor (null on the last page), open_invites, committee_due}.
function listPeople(code, { role, cursor } = {}) {
  return request({ url: `${compoundUrl(code)}/people${toQuery({ role, cursor })}` })
}

function revokeMembership(code, id, reason) {
  return request({ url: `${compoundUrl(code)}/memberships/${id}/revoke`, method: 'POST', data: { reason } })
}

function setTerm(code, id, { termStart, termEnd }) {
  return request({
    url: `${compoundUrl(code)}/memberships/${id}/term`,
    method: 'PATCH',
    data: { term_start: termStart, term_end: termEnd },
  })
}

// Newest first, a page at a time: {items: [{id, at, action, action_label,
// actor, role, role_label, summary}], next_cursor}.
function auditLog(code, { cursor, limit } = {}) {
  return request({ url: `${compoundUrl(code)}/audit-log${toQuery({ cursor, limit })}` })
}

module.exports = {
  createRoleInvite,
  listRoleInvites,
  revokeRoleInvite,
  redeemRoleInvite,
  listPeople,
  revokeMembership,
  setTerm,
  auditLog,
}
