// The census as files (住户登记表格): the committee's import template and import
// (a check first, nothing changes; then all or nothing), and the export of the
// caller's reach. Workbooks need the bearer header, so they are downloaded to a
// temporary file first (wx.openDocument cannot take the URL itself).
const { upload, download } = require('./request')
const { toQuery } = require('../utils/query')

const base = (code) => `/api/v1/compounds/${encodeURIComponent(code)}/census`

// The empty template (committee). Resolves with the temporary file path.
function censusTemplate(code) {
  return download({ url: `${base(code)}/template`, failMessage: '模板没有下载下来，请稍后再试' })
}

// 检查 (dry run, nothing changes): {dry_run, rows, added, updated, errors:
// [{row, message}]}. 400 bad_census_file when the file cannot be read.
function checkCensus(code, filePath) {
  return upload({ url: `${base(code)}/import?dry_run=1`, filePath })
}

// 导入, all or nothing: the same report. 400 census_invalid when a row has a
// problem: the error's `report` lists them.
function importCensus(code, filePath) {
  return upload({ url: `${base(code)}/import?dry_run=0`, filePath })
}

// The census of my reach as a workbook: phones masked and no care tags unless
// `sensitive` (then `reason` is logged with it). Resolves with the file path.
function exportCensus(code, { sensitive = false, reason } = {}) {
  const query = toQuery({ include_sensitive: sensitive ? 1 : 0, reason: sensitive ? reason : undefined })
  return download({ url: `${base(code)}/export${query}`, failMessage: '住户登记没有导出来，请稍后再试' })
}

module.exports = { censusTemplate, checkCensus, importCensus, exportCensus }
