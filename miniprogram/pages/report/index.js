// 报事 (a tab page): a resident reports an issue about their flat, their unit
// or the compound. The form is shared with pages/report-for (代居民报事),
// which a volunteer opens from here or from 工作台.
const { loadable } = require('../../utils/page')
const { reportForm } = require('./form')

Page(loadable(reportForm({ forOthers: false })))
