// Screening sweeps (排查): a campaign's units and their door-to-door lists, and
// the result recorded at each household.
const { request, download } = require('./request')
const { toQuery } = require('../utils/query')

// Volunteers: the campaigns touching my units, open first: {items: [{id, type,
// title, due_on, status, progress: {visited, total}}]}.
function listCampaigns(code) {
  return request({ url: `/api/v1/compounds/${encodeURIComponent(code)}/campaigns` })
}

// {id, type, title, checklist, scope, due_on, status, progress, units: [{unit_id,
// unit, visited, total, overdue, escalated}], may: {record, close, export}}.
function getCampaign(id) {
  return request({ url: `/api/v1/campaigns/${id}` })
}

// A unit's households with their result: {items: [{household_id, label, result}]}.
function campaignHouseholds(id, unitId) {
  return request({ url: `/api/v1/campaigns/${id}/households${toQuery({ unit_id: unitId })}` })
}

// body: {household_id, items: [{item, ok, note?}], needs_action?, photos?, note?,
// action?: {category, title}}. Resolves with {result, issue_id}.
function recordResult(id, body) {
  return request({ url: `/api/v1/campaigns/${id}/results`, method: 'POST', data: body })
}

// The committee: nothing more is recorded. Resolves with the campaign; 409
// campaign_closed when it was already.
function closeCampaign(id) {
  return request({ url: `/api/v1/campaigns/${id}/close`, method: 'POST' })
}

// The register (台账) as a workbook (may.export): resolves with the temporary file path.
function campaignRegister(id) {
  return download({ url: `/api/v1/campaigns/${id}/export`, failMessage: '排查台账没有下载下来，请稍后再试' })
}

module.exports = { listCampaigns, getCampaign, campaignHouseholds, recordResult, closeCampaign, campaignRegister }
