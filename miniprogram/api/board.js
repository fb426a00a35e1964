// The notice board (公示栏): the board itself, announcements, and for the
// committee publishing and withdrawing; for liaisons the 未读住户 of a notice.
const { request } = require('./request')
const { toQuery } = require('../utils/query')

const compoundUrl = (code) => `/api/v1/compounds/${encodeURIComponent(code)}`

// Any member of the compound: {announcements: [item], latest_disclosure: {id,
// month, published_at} | null, funds: [{account, name, balance_fen,
// income_fen_month, spent_fen_month}], collection_rate: {month,
// households_billed, households_paid, collection_rate}, resolved_this_month:
// [{category, category_label, count}], resolved_total}. An item is {id, title,
// urgent, audience, audience_label, pinned, pinned_until, created_at, read,
// withdrawn, excerpt}.
function getBoard(code) {
  return request({ url: `${compoundUrl(code)}/board` })
}

// The announcements for me, newest first: {items: [item], next_cursor}.
function listAnnouncements(code, { cursor } = {}) {
  return request({ url: `${compoundUrl(code)}/announcements${toQuery({ cursor })}` })
}

// One announcement ({...item, body, photos: [upload ids], withdrawn_at});
// opening it marks it read for me.
function getAnnouncement(id) {
  return request({ url: `/api/v1/announcements/${id}` })
}

// The committee: {title, body, urgent, audience: compound|building|unit,
// building?, unit? ("1-2"), photos: [upload ids], pinned_until? ("YYYY-MM-DD")}.
function publishAnnouncement(code, { title, body, urgent, audience, building, unit, photos, pinnedUntil }) {
  const data = { title, body, urgent: Boolean(urgent), audience: audience || 'compound', photos: photos || [] }
  if (data.audience === 'building') data.building = building
  if (data.audience === 'unit') data.unit = unit
  if (pinnedUntil) data.pinned_until = pinnedUntil
  return request({ url: `${compoundUrl(code)}/announcements`, method: 'POST', data })
}

function withdrawAnnouncement(id) {
  return request({ url: `/api/v1/announcements/${id}/withdraw`, method: 'POST' })
}

// A liaison (my units) or the committee (every unit): {announcement_id,
// unread, no_app, units: [{label, households_total, unread, households:
// [{household_id, label, uses_app, note}]}]}.
function unreadHouseholds(id) {
  return request({ url: `/api/v1/announcements/${id}/unread-households` })
}

module.exports = {
  getBoard,
  listAnnouncements,
  getAnnouncement,
  publishAnnouncement,
  withdrawAnnouncement,
  unreadHouseholds,
}
