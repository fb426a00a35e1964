// The census (住户登记) of one household, as its own residents use it, and the
// compound's coverage for volunteers.
const { request } = require('./request')
const { toQuery } = require('../utils/query')

const householdUrl = (id) => `/api/v1/households/${encodeURIComponent(id)}`

// {household: {id, label}, members: [{id, name, relation, age_band, phone,
// phone_masked, uses_wechat, bound}], tags? (only for who may see them),
// occupancy, confirmed_at, confirmed_by, stale, moved_out_at, may: {edit_members,
// edit_tags, see_phone}, consent: {kind, version, title, text}}. 403
// census_forbidden, 404 outside my compounds.
function getCensus(householdId, { reason } = {}) {
  return request({ url: `${householdUrl(householdId)}/census${toQuery({ reason })}` })
}

// member: {name, relation, age_band, phone?, uses_wechat}; consent true: the
// person agreed to the census notice (400 consent_required without it).
// Resolves with the member (201).
function addMember(householdId, member, { consent } = {}) {
  const data = Object.assign({}, member)
  if (consent) data.consent = true
  return request({ url: `${householdUrl(householdId)}/members`, method: 'POST', data })
}

// Only the fields given change. Resolves with the member.
function updateMember(householdId, memberId, changes) {
  return request({ url: `${householdUrl(householdId)}/members/${memberId}`, method: 'PATCH', data: changes })
}

// The person moved out: no longer shown, anonymised after the retention.
function removeMember(householdId, memberId) {
  return request({ url: `${householdUrl(householdId)}/members/${memberId}`, method: 'DELETE' })
}

// The record is right as it stands (confirmed now by me). Resolves with the
// census view, as getCensus.
function confirmCensus(householdId, { occupancy } = {}) {
  return request({ url: `${householdUrl(householdId)}/confirm`, method: 'POST', data: occupancy ? { occupancy } : {} })
}

// Committee (all), building lead (own building), liaison (own units):
// {buildings: [{building, households, confirmed, stale, units: [{unit: "1-2",
// unit_id, households, confirmed, stale}]}], totals: {households, confirmed, stale}}.
function censusCoverage(code) {
  return request({ url: `/api/v1/compounds/${encodeURIComponent(code)}/census/coverage` })
}

module.exports = { getCensus, addMember, updateMember, removeMember, confirmCensus, censusCoverage }
