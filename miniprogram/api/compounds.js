// A compound's volunteers as the committee sees them.
const { request } = require('./request')

// Who a push reaches (committee only; 403 committee_only otherwise): {compound,
// compound_name, official_account_enabled, counts: {no_liaison, inbox_only, low,
// ok}, units: [{unit_id, label: "1-2", status, liaisons: [volunteer]}] gaps
// first, building_leads, committee}; a volunteer is {user_id, name, role, place,
// channel: official_account|subscribe|inbox|disabled, new_issue_left,
// reminder_left, never_signed_in}.
function reachability(code) {
  return request({ url: `/api/v1/compounds/${encodeURIComponent(code)}/reachability` })
}

module.exports = { reachability }
