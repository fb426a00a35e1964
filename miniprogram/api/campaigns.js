// Sweeps (排查): the checklist templates, a compound's sweeps and starting one.
const { request } = require('./request')

const compoundUrl = (code) => `/api/v1/compounds/${encodeURIComponent(code)}`

// {items: [{type, label, checklist: [text, ...]}]}: one starting checklist per type.
function campaignTemplates() {
  return request({ url: '/api/v1/campaign-templates' })
}

// The sweeps touching my reach (volunteers), open first: {items: [{id, type,
// title, scope, due_on, status, progress: {visited, total}}]}.
function listCampaigns(code) {
  return request({ url: `${compoundUrl(code)}/campaigns` })
}

// Committee only. scope: "compound" or {buildings: [1], units: ["1-2"]};
// dueOn "YYYY-MM-DD", today or later. Resolves with the campaign (201).
function createCampaign(code, { type, title, checklist, scope, dueOn }) {
  return request({
    url: `${compoundUrl(code)}/campaigns`,
    method: 'POST',
    data: { type, title, checklist, scope, due_on: dueOn },
  })
}

module.exports = { campaignTemplates, listCampaigns, createCampaign }
