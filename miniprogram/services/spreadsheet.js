// Picking the one spreadsheet (.xlsx or .csv) a committee member imports, from a
// chat: the roster of flats and the census use it.
const { failureKind, explainFailure } = require('../utils/permission')

// Resolves with the chosen file ({name, path, size}), or null: cancelled (nothing
// said), a refused privacy consent (explained first), anything else (a toast).
function chooseSpreadsheet() {
  return new Promise((resolve) => {
    wx.chooseMessageFile({
      count: 1,
      type: 'file',
      extension: ['xlsx', 'csv'],
      success: (res) => resolve((res.tempFiles || [])[0] || null),
      fail: (res) => {
        const kind = failureKind(res)
        if (kind === 'privacy') {
          Promise.resolve(explainFailure(res, 'file')).then(() => resolve(null))
          return
        }
        if (kind !== 'cancel') wx.showToast({ title: '没有选到表格，请再试一次', icon: 'none' })
        resolve(null)
      },
    })
  })
}

module.exports = { chooseSpreadsheet }
