// Issues (报事): report, list, read, act on, answer the return visit.
const { request } = require('./request')
const { toQuery } = require('../utils/query')

// Resolves with the new issue's detail.
function createIssue(body) {
  return request({ url: '/api/v1/issues', method: 'POST', data: body })
}

// filters: {status, category, building_id, unit_id, overdue, mine, handled, cursor, limit}.
// Resolves with {items, next_cursor}.
function listIssues(filters = {}) {
  return request({ url: `/api/v1/issues${toQuery(filters)}` })
}

function getIssue(id) {
  return request({ url: `/api/v1/issues/${id}` })
}

// body: {action, note?, photos?, rating?, referral_*?, follow_up_on?, duplicate_of?}.
// Resolves with the updated detail.
function transition(id, body) {
  return request({ url: `/api/v1/issues/${id}/transitions`, method: 'POST', data: body })
}

// "Is it still fixed?" — {fixed: false} reopens the issue.
function answerReturnVisit(id, { fixed, note }) {
  return request({
    url: `/api/v1/issues/${id}/return-visit`,
    method: 'POST',
    data: { fixed, note: note || null },
  })
}

// The flats of a unit I handle (liaison, building lead, committee), to file an
// issue for a neighbour: {items: [{id, room, floor, label, occupancy}]}.
// 403 not_a_handler for someone else's unit, 404 for another compound's.
function unitHouseholds(unitId) {
  return request({ url: `/api/v1/units/${unitId}/households` })
}

module.exports = { createIssue, listIssues, getIssue, transition, answerReturnVisit, unitHouseholds }
