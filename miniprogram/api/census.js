// The census (住户登记): a household's record on the doorstep, its members, care
// tags, confirmation and moving out; the households and coverage of the units a
// volunteer looks after.
const { request } = require('./request')
const { toQuery } = require('../utils/query')

const householdUrl = (id) => `/api/v1/households/${id}`
const compoundUrl = (code) => `/api/v1/compounds/${encodeURIComponent(code)}`

// {household: {id, label}, members: [...], tags?, occupancy, confirmed_at,
// confirmed_by, stale, moved_out_at, may: {edit_members, edit_tags, see_phone},
// consent: {kind, version, title, text}}. `reason` is written in the access log
// when a full phone or a care tag is shown. 403 census_forbidden.
function getCensus(householdId, reason) {
  return request({ url: `${householdUrl(householdId)}/census${toQuery({ reason })}` })
}

// body: {name, relation, age_band, phone?, uses_wechat, consent?}. Resolves with
// the member; 400 consent_required, bad_phone.
function addMember(householdId, body) {
  return request({ url: `${householdUrl(householdId)}/members`, method: 'POST', data: body })
}

function updateMember(householdId, memberId, body) {
  return request({ url: `${householdUrl(householdId)}/members/${memberId}`, method: 'PATCH', data: body })
}

// The person moved out: no longer shown.
function removeMember(householdId, memberId) {
  return request({ url: `${householdUrl(householdId)}/members/${memberId}`, method: 'DELETE' })
}

// Volunteers only (403 tags_forbidden). Resolves with {tags}.
function setTags(householdId, tags) {
  return request({ url: `${householdUrl(householdId)}/tags`, method: 'PUT', data: { tags } })
}

// The record checked now, by me; resolves with the census view.
function confirmCensus(householdId, occupancy) {
  const data = occupancy ? { occupancy } : {}
  return request({ url: `${householdUrl(householdId)}/confirm`, method: 'POST', data })
}

// The whole household moved out (unit liaison or committee).
function moveOut(householdId) {
  return request({ url: `${householdUrl(householdId)}/move-out`, method: 'POST' })
}

// filter: to_visit|all; unit: "1-2". Resolves with {items: [{household_id,
// label, members, tags?, occupancy, confirmed_at, stale}], coverage}.
function censusHouseholds(code, { unit, filter } = {}) {
  return request({ url: `${compoundUrl(code)}/census/households${toQuery({ unit, filter })}` })
}

// {buildings: [{building, households, confirmed, stale, units: [{unit,
// unit_id, households, confirmed, stale}]}], totals: {households, confirmed, stale}}.
function censusCoverage(code) {
  return request({ url: `${compoundUrl(code)}/census/coverage` })
}

module.exports = {
  getCensus,
  addMember,
  updateMember,
  removeMember,
  setTags,
  confirmCensus,
  moveOut,
  censusHouseholds,
  censusCoverage,
}
