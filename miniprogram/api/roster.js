// A compound's roster of flats (房屋名册) and its overview (小区概况).
const { request, upload, download } = require('./request')

const TEMPLATE_FAILED = '模板没有下载下来，请稍后再试'

const base = (code) => `/api/v1/compounds/${encodeURIComponent(code)}`

// 小区概况 (committee, supervisor, building leads, liaisons): {code, name,
// archived, totals: {buildings, units, households, vacant, bound}, buildings:
// [{id, number, name, households, vacant, bound, units_without_liaison, units:
// [{id, number, households, vacant, bound, liaisons}]}], last_import: null or
// {id, created_at, by (name masked), filename, rows, counts}}.
function compoundOverview(code) {
  return request({ url: `${base(code)}/overview` })
}

// The template (.xlsx, filled with the compound's flats when it has some):
// resolves with the downloaded temporary file path (the bearer header is needed,
// so wx.openDocument cannot take the URL itself).
function rosterTemplate(code) {
  return download({ url: `${base(code)}/roster/template.xlsx`, failMessage: TEMPLATE_FAILED })
}

// Check a roster file (dry run, nothing changes). Resolves with the report:
// {rows, buildings: {create}, units: {create}, households: {create, update,
// unchanged}, pending, changes: [...], missing: [...], problems: [{row,
// column, message}], applied: false}.
function checkRoster(code, filePath) {
  return upload({ url: `${base(code)}/roster?dry_run=true`, filePath })
}

// Load it, all or nothing: the report plus applied, import_id and approval_id
// (area/vacancy changes waiting for a second committee member). 400
// roster_invalid when the file has problems: the error's `report` is the check.
function importRoster(code, filePath) {
  return upload({ url: `${base(code)}/roster?dry_run=false`, filePath })
}

module.exports = { compoundOverview, rosterTemplate, checkRoster, importRoster }
