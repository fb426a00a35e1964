// Care visits (关爱走访) of tagged households.
const { request } = require('./request')

// body: {how: good|fair|poor, concern?, note?, method?: visit|phone,
// visited_on?, open_issue?}. Resolves with the visit.
function recordVisit(visitId, body) {
  return request({ url: `/api/v1/visits/${visitId}/record`, method: 'POST', data: body })
}

// The household's visits, newest first: {items: [...]} (logged view_visits).
function householdVisits(householdId) {
  return request({ url: `/api/v1/households/${householdId}/visits` })
}

module.exports = { recordVisit, householdVisits }
