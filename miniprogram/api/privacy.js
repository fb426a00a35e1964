// Personal information (个人信息): the notices people agree to, who read whose
// record (the access log), and a resident's own household data.
const { request, download } = require('./request')
const { toQuery } = require('../utils/query')

const accessLogUrl = (code) => `/api/v1/compounds/${encodeURIComponent(code)}/access-log`

// No sign-in needed. kind: binding | census. Resolves with {kind, version, title, text}.
function consentNotice(kind) {
  return request({ url: `/api/v1/consent/${encodeURIComponent(kind)}` })
}

// Committee and supervisor, newest first, a page at a time: {items: [{id, at,
// actor: {id, name, role}, action, action_label, subject_type, household, reason}],
// next_cursor}. from/to "YYYY-MM-DD". Reading it is itself logged.
function accessLog(code, { from, to, householdId, cursor } = {}) {
  return request({ url: `${accessLogUrl(code)}${toQuery({ from, to, household_id: householdId, cursor })}` })
}

// The log as a workbook (logged too), with the list's filters: resolves with
// the temporary file path.
function accessLogExport(code, { from, to, householdId } = {}) {
  return download({
    url: `${accessLogUrl(code)}/export${toQuery({ from, to, household_id: householdId })}`,
    failMessage: '查看记录没有下载下来，请稍后再试',
  })
}

// Everything the app keeps about my household, as a workbook (logged):
// resolves with the temporary file path. 403 for non-residents of it.
function myHouseholdDataFile(householdId) {
  return download({
    url: `/api/v1/me/household-data${toQuery({ household_id: householdId, format: 'xlsx' })}`,
    failMessage: '本户信息没有下载下来，请稍后再试',
  })
}

// Who viewed my household's record, newest first, a page at a time: {items:
// [{at, who: "联络人 张*", action_label, reason}], next_cursor} (null: no more).
function myHouseholdViews(householdId, cursor) {
  return request({ url: `/api/v1/me/household-views${toQuery({ household_id: householdId, cursor })}` })
}

// Erase the household's census data now (members, tags, open visit; money,
// votes and the access log stay). confirm must be true.
function eraseMyHouseholdData(householdId) {
  return request({
    url: '/api/v1/me/household-data/erasure',
    method: 'POST',
    data: { household_id: householdId, confirm: true },
  })
}

module.exports = {
  consentNotice,
  accessLog,
  accessLogExport,
  myHouseholdDataFile,
  myHouseholdViews,
  eraseMyHouseholdData,
}
