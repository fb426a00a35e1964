// Showing ApiError (api/request.js) to users.

const GENERIC_MESSAGE = '操作失败，请稍后再试'

function errorMessage(err) {
  return (err && err.message) || GENERIC_MESSAGE
}

function showError(err) {
  wx.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 })
}

// The server's per-field messages (details.fields, Chinese) as {field: text}.
function fieldErrors(err) {
  const fields = (err && err.details && err.details.fields) || {}
  const errors = {}
  for (const name of Object.keys(fields)) {
    const value = fields[name]
    errors[name] = Array.isArray(value) ? value.join('；') : String(value)
  }
  return errors
}

module.exports = { errorMessage, showError, fieldErrors }
