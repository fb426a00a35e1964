// Starting a sweep (排查, the committee): the checklist templates and the sweep.
// (A sweep's list, units and results: api/campaigns.js.)
const { request } = require('./request')

// {items: [{type, label, checklist: [text, ...]}]}: one starting checklist per type.
function campaignTemplates() {
  return request({ url: '/api/v1/campaign-templates' })
}

// Committee only. scope: "compound" or {buildings: [1], units: ["1-2"]};
// dueOn "YYYY-MM-DD", today or later. Resolves with the campaign (201).
function createCampaign(code, { type, title, checklist, scope, dueOn }) {
  return request({
    url: `/api/v1/compounds/${encodeURIComponent(code)}/campaigns`,
    method: 'POST',
    data: { type, title, checklist, scope, due_on: dueOn },
  })
}

module.exports = { campaignTemplates, createCampaign }
