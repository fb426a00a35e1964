const { request } = require('./request')
const { toQuery } = require('../utils/query')

// The signed-in user: {id, nickname, roles: [...], households: [...]}.
function getMe() {
  return request({ url: '/api/v1/me' })
}

// My binding requests, newest first: {items: [...]}.
function myBindings() {
  return request({ url: '/api/v1/me/bindings' })
}

// My inbox, newest first: {items, unread, next_before}.
function notifications({ before, limit } = {}) {
  return request({ url: `/api/v1/me/notifications${toQuery({ before, limit })}` })
}

// ids: the notifications to mark read, or null for all of them. Resolves with {marked}.
function markRead(ids) {
  return request({ url: '/api/v1/me/notifications/read', method: 'POST', data: { ids } })
}

// The template ids the user accepted in wx.requestSubscribeMessage. Resolves
// with {quotas, official_account_enabled, official_account_linked, messages}
// (see mySubscriptions).
function recordSubscriptions(accepted) {
  return request({ url: '/api/v1/me/subscriptions', method: 'POST', data: { accepted } })
}

// How each message reaches me now: {official_account_enabled,
// official_account_linked, messages: [{name, template_id, channel:
// official_account|subscribe|inbox, remaining}]}.
function mySubscriptions() {
  return request({ url: '/api/v1/me/subscriptions' })
}

// In-person return visits I am to make (liaisons): {items: [...]}.
function myTasks() {
  return request({ url: '/api/v1/me/tasks' })
}

// 我的联络人: one item per household of mine: {household, unit_label, liaisons:
// [{role, name, phone (only when shared), phone_masked}], building_leads (when the
// unit has no liaison), note (when there is nobody)}.
function myLiaisons() {
  return request({ url: '/api/v1/me/liaisons' })
}

// Share my mobile number with the residents I serve, or stop (null). Resolves
// with {phone, phone_masked}; 400 bad_phone, 403 volunteers_only.
function setSharedPhone(phone) {
  return request({ url: '/api/v1/me/shared-phone', method: 'PUT', data: { phone } })
}

module.exports = {
  getMe,
  myBindings,
  notifications,
  markRead,
  recordSubscriptions,
  mySubscriptions,
  myTasks,
  myLiaisons,
  setSharedPhone,
}
